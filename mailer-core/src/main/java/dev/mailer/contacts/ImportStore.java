package dev.mailer.contacts;

import java.util.List;

/** Where an import's rows go: a batch staged row by row, then merged at once. */
public interface ImportStore {
    /** Counts of the merged rows. */
    record Counts(long imported, long updated, long unchanged) {
    }

    /** One import's rows, inside the caller's unit of work (which makes the import all or nothing). */
    interface Batch {
        void add(ImportRow row);

        /**
         * Merges the staged rows into contacts and the consent history. Rows of erased people are
         * taken out first and added to {@code erasedOut} as rejects.
         *
         * @param origin where the consent records came from, e.g. {@code import contacts.csv}
         */
        Counts merge(ContactCsvReader.Header header, String origin, List<Reject> erasedOut);

        /** Abandons the batch (the unit of work is being rolled back). */
        void cancel();
    }

    /** Starts a batch; must be called inside a unit of work. */
    Batch begin();
}
