package dev.mailer.store.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a backup file says about itself (its second line): the format, the mailer schema version
 * its rows belong to, the server and the time of the snapshot, each table with the columns and
 * the number of rows that follow, in the order they follow (parents before the tables whose
 * foreign keys point at them), and the sequences' values.
 *
 * @param mailerVersion the version of mailer that made it; null for a development build
 * @param source        where it was made from: the embedded server's directory or the URL, password masked
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupManifest(String format, int formatVersion, String mailerVersion, String schemaVersion,
                             String postgresVersion, String createdAt, String source, List<Table> tables,
                             List<Sequence> sequences) {
    public static final String FORMAT = "mailer-backup";

    /** One table: its name, the columns of its CSV data in their order, and its rows. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Table(String name, List<String> columns, long rows) {
    }

    /** A sequence as {@code setval(name, value, called)} restores it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Sequence(String name, long value, boolean called) {
    }

    public long totalRows() {
        return tables.stream().mapToLong(Table::rows).sum();
    }
}
