package dev.mailer.store;

import dev.mailer.contacts.ImportStore;

/** Contacts imports staged with COPY on the unit of work's connection ({@link ContactImportWriter}). */
final class ContactImports implements ImportStore {
    private final Database database;

    ContactImports(Database database) {
        this.database = database;
    }

    @Override
    public Batch begin() {
        return database.withConnection(connection -> new ContactImportWriter(database, connection));
    }
}
