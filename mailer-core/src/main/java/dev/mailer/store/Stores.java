package dev.mailer.store;

import dev.mailer.audience.GateStore;
import dev.mailer.transaction.Transactions;

/**
 * The store's side of every stage's interface, over one {@link Database}: whoever wires the
 * stages (the command line, tests) asks here for the implementation a stage needs.
 */
public final class Stores {
    private final Database database;
    private final GateStore gate;

    public Stores(Database database) {
        this.database = database;
        this.gate = new PostgresGate(database);
    }

    public Transactions transactions() {
        return database;
    }

    public GateStore gate() {
        return gate;
    }
}
