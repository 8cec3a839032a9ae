package dev.mailer.store.backup;

/**
 * Told how far a backup or a restore is: when each table begins, and after each chunk of its data.
 */
@FunctionalInterface
public interface CopyProgress {
    CopyProgress NONE = (table, bytes, totalBytes) -> { };

    /**
     * @param table      the table being copied
     * @param bytes      the data (CSV, uncompressed) copied so far, all tables together
     * @param totalBytes all the data there is to copy; 0 when not known (a backup)
     */
    void update(String table, long bytes, long totalBytes);
}
