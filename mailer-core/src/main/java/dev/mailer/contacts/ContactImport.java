package dev.mailer.contacts;

import dev.mailer.audit.AuditTrail;
import dev.mailer.transaction.Transactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * {@code contacts import}: one CSV file into contacts and the consent history, all or nothing.
 * The file is streamed; bad rows are rejected with their line, the others import, unless
 * {@code strict}, where any bad row aborts the import with nothing written.
 */
public final class ContactImport {
    /** Rejects listed in the result; more are counted but not listed. */
    public static final int MAX_LISTED_REJECTS = 10_000;
    private static final int PROGRESS_EVERY = 50_000;
    private static final int PROGRESS_STEP = 1_000;

    private final Transactions transactions;
    private final ImportStore store;
    private final AuditTrail audit;

    public ContactImport(Transactions transactions, ImportStore store, AuditTrail audit) {
        this.transactions = transactions;
        this.store = store;
        this.audit = audit;
    }

    /**
     * A file in mailer's own columns.
     *
     * @param source   consent source for consent rows that name none; may be null
     * @param actor    who runs the import, for the audit log
     * @param progress told the number of rows read every so often; may be null
     */
    public ImportResult run(Path file, String source, boolean strict, String actor, LongConsumer progress) {
        return run(file, ImportOptions.of(source, strict), actor, progress == null ? null : (rows, read, size) -> {
            if (rows % PROGRESS_EVERY == 0) {
                progress.accept(rows);
            }
        });
    }

    /**
     * @param actor    who runs the import, for the audit log
     * @param progress told how far the reading is every thousand rows, then that the merge runs; may be null
     */
    public ImportResult run(Path file, ImportOptions options, String actor, ImportProgress progress) {
        String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String origin = "import " + fileName;
        boolean strict = options.strict();
        long fileBytes = size(file);
        Rejects rejects = new Rejects();
        try {
            return transactions.inTransaction(() -> {
                ImportStore.Batch writer = store.begin();
                ContactCsvReader.Header[] header = new ContactCsvReader.Header[1];
                long[] rows = {0};
                long[] bytes = {0};
                try {
                    ContactCsvReader.read(file, options, h -> header[0] = h, new ContactCsvReader.Sink() {
                        @Override
                        public void row(ImportRow row) {
                            tick();
                            if (strict && rejects.count > 0) {
                                return; // nothing will be written; keep reading to list every bad row
                            }
                            writer.add(row);
                        }

                        @Override
                        public void reject(Reject reject) {
                            tick();
                            rejects.add(reject);
                        }

                        @Override
                        public void bytesRead(long read) {
                            bytes[0] = read;
                        }

                        private void tick() {
                            if (progress != null && ++rows[0] % PROGRESS_STEP == 0) {
                                progress.reading(rows[0], bytes[0], fileBytes);
                            }
                        }
                    });
                } catch (RuntimeException e) {
                    writer.cancel();
                    throw e;
                }
                if (progress != null) {
                    progress.reading(rows[0], bytes[0], fileBytes);
                }
                if (strict && rejects.count > 0) {
                    writer.cancel();
                    throw new Aborted();
                }
                if (progress != null) {
                    progress.merging(rows[0]);
                }
                List<Reject> erased = new ArrayList<>();
                ImportStore.Counts counts = writer.merge(header[0], origin, erased);
                erased.forEach(rejects::add);
                if (strict && !erased.isEmpty()) {
                    throw new Aborted();
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("file", fileName);
                detail.put("imported", counts.imported());
                detail.put("updated", counts.updated());
                detail.put("unchanged", counts.unchanged());
                detail.put("rejected", rejects.count);
                audit.record(actor, "contacts.import", null, detail);
                return new ImportResult(counts.imported(), counts.updated(), counts.unchanged(), rejects.count,
                        rejects.sorted(), rejects.count > rejects.listed.size(), false);
            });
        } catch (Aborted aborted) {
            return new ImportResult(0, 0, 0, rejects.count, rejects.sorted(), rejects.count > rejects.listed.size(),
                    true);
        }
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0; // the reader says what is wrong with the file
        }
    }

    private static final class Rejects {
        final List<Reject> listed = new ArrayList<>();
        long count;

        void add(Reject reject) {
            count++;
            if (listed.size() < MAX_LISTED_REJECTS) {
                listed.add(reject);
            }
        }

        List<Reject> sorted() {
            List<Reject> copy = new ArrayList<>(listed);
            copy.sort((a, b) -> Long.compare(a.line(), b.line()));
            return copy;
        }
    }

    /** Strict mode met a bad row: roll back, report the rejects. */
    private static final class Aborted extends RuntimeException {
        Aborted() {
            super(null, null, false, false);
        }
    }
}
