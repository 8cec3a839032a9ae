package dev.mailer.contacts;

/** What an import tells whoever watches it, every thousand rows or so. */
public interface ImportProgress {
    /** @param bytesRead how far into the file the reading is, of {@code fileBytes} */
    void reading(long rows, long bytesRead, long fileBytes);

    /** The whole file is read; its rows are being merged into contacts and the consent history. */
    default void merging(long rows) {
    }
}
