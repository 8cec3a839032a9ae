package dev.mailer.store.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a backup file says about itself ({@code manifest.json} in the archive): which format,
 * which schema its rows belong to, when the snapshot was taken, and each table's file, columns,
 * row count and SHA-256, in the order the tables are loaded.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupManifest(String format, int formatVersion, String schemaVersion, String createdAt,
                             String postgresVersion, String copyFormat, List<TableEntry> tables) {
    public static final String FORMAT = "mailer-backup";
    public static final int FORMAT_VERSION = 1;
    static final String ENTRY = "manifest.json";

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TableEntry(String name, String file, List<String> columns, long rows, String sha256) {
    }

    public long totalRows() {
        return tables.stream().mapToLong(TableEntry::rows).sum();
    }
}
