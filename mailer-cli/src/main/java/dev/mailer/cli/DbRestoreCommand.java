package dev.mailer.cli;

import dev.mailer.store.backup.BackupFile;
import dev.mailer.store.backup.DatabaseRestore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {
                "Load a backup made by 'mailer db backup' into the database (the embedded one, or --db)."
                        + " The file is read through and checked before the database is touched; the rows are"
                        + " loaded in one transaction, so a failure leaves the data as it was.",
                "Stop serve and the cron jobs or timers first: while another mailer process uses the embedded"
                        + " database the restore refuses (exit 3). A database that holds data is replaced only"
                        + " with --force. A backup of an older schema version is loaded into that version and"
                        + " then migrated; into an empty database, mailer builds that version first.",
        },
        footer = {"", "Examples:",
                "  mailer db restore /var/backups/mailer/2026-12-01.mailer-backup.gz",
                "  mailer db restore 2026-12-01.mailer-backup.gz --force  # replace its data",
                "  mailer db restore 2026-12-01.mailer-backup.gz --json"})
final class DbRestoreCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "FILE", description = "The backup file to restore.")
    Path file;

    @Option(names = "--force", description = "Replace the data the database holds: every table is emptied and"
            + " loaded from the backup, in the same transaction.")
    boolean force;

    @Option(names = "--json", description = "Print one JSON object: file, bytes, schemaVersion, migratedTo,"
            + " createdAt, tables {name: rows}, rows, replaced, seconds.")
    boolean json;

    DbRestoreCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        BackupFile backup = BackupFile.open(file); // before the database is opened: a bad file touches nothing
        Progress progress = new Progress(context, "kB loaded", Duration.ofSeconds(2));
        DatabaseRestore.Result result = DatabaseRestore.run(context.databaseAsIs(), backup, force,
                (table, bytes, total) -> progress.update(bytes / 1024, table
                        + (total > 0 ? ", " + (100 * bytes / total) + "%" : "")));
        progress.done();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("file", result.file().toString());
            out.put("bytes", result.bytes());
            out.put("schemaVersion", result.schemaVersion());
            out.put("migratedTo", result.migratedTo());
            out.put("createdAt", result.createdAt());
            out.put("tables", result.rows());
            out.put("rows", result.totalRows());
            out.put("replaced", result.replaced());
            out.put("seconds", DbBackupCommand.seconds(result.elapsed()));
            context.printJson(out);
            return 0;
        }
        var out = context.out();
        out.printf("Restored %d tables, %,d rows from %s (%s, a backup of %s at schema version %s) in %s s.%n",
                result.rows().size(), result.totalRows(), result.file(), DbBackupCommand.size(result.bytes()),
                result.createdAt(), result.schemaVersion(), DbBackupCommand.seconds(result.elapsed()));
        if (result.replaced()) {
            out.println("  The data the database held before was replaced (--force).");
        }
        if (result.migratedTo() != null) {
            out.println("  Then migrated to schema version " + result.migratedTo() + ".");
        }
        return 0;
    }
}
