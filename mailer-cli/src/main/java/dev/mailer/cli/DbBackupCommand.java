package dev.mailer.cli;

import dev.mailer.store.backup.DatabaseBackup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {
                "Write a backup of mailer's database to FILE: every table's rows, the sequences and the schema"
                        + " version, as one consistent snapshot (safe while serve, send and feedback poll run),"
                        + " gzip-compressed. For the embedded database and for your own (--db).",
                "FILE is readable by you only (mode 0600: it holds personal data). It is written beside its name"
                        + " and renamed when complete, so it is never half-written; an existing FILE is replaced."
                        + " The database is not changed, not even migrated.",
        },
        footer = {"", "Examples:",
                "  mailer db backup /var/backups/mailer/$(date +%%F).mailer-backup.gz",
                "  mailer db backup nightly.mailer-backup.gz --json",
                "  mailer db backup --db jdbc:postgresql://db.internal/mailer db.mailer-backup.gz"})
final class DbBackupCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "FILE", description = "The backup file to write (its directory must exist).")
    Path file;

    @Option(names = "--json", description = "Print one JSON object: file, bytes, schemaVersion, postgresVersion,"
            + " createdAt, tables {name: rows}, rows, seconds.")
    boolean json;

    DbBackupCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Progress progress = new Progress(context, "kB copied", Duration.ofSeconds(2));
        DatabaseBackup.Result result = DatabaseBackup.write(context.databaseAsIs(), file,
                (table, bytes, total) -> progress.update(bytes / 1024, table));
        progress.done();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("file", result.file().toString());
            out.put("bytes", result.bytes());
            out.put("schemaVersion", result.schemaVersion());
            out.put("postgresVersion", result.postgresVersion());
            out.put("createdAt", result.createdAt());
            out.put("tables", result.rows());
            out.put("rows", result.totalRows());
            out.put("seconds", seconds(result.elapsed()));
            context.printJson(out);
        } else {
            context.out().printf("Backed up %d tables, %,d rows (schema version %s) to %s: %s in %s s.%n",
                    result.rows().size(), result.totalRows(), result.schemaVersion(), result.file(),
                    size(result.bytes()), seconds(result.elapsed()));
        }
        return 0;
    }

    /** A size as people read it: 880 bytes, 14.2 kB, 3.1 MB, 1.4 GB. */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " bytes";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Seconds with one decimal. */
    static double seconds(Duration elapsed) {
        return Math.round(elapsed.toMillis() / 100.0) / 10.0;
    }
}
