package dev.mailer.contacts;

import dev.mailer.store.Database;
import dev.mailer.store.DatabaseSettings;
import dev.mailer.store.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDebugTest {
    @TempDir Path dir;

    @Test
    void debug() throws Exception {
        try (Database db = Database.open(DatabaseSettings.server(TestPostgres.freshDatabase(), TestPostgres.server().user(), TestPostgres.server().password()))) {
            Path f = dir.resolve("a.csv");
            Files.writeString(f, "email,name,locale\nbob@example.com,,\n");
            System.out.println("R1 " + new ContactImport(db).run(f, null, false, "t", null));
            System.out.println("R2 " + new ContactImport(db).run(f, null, false, "t", null));
            Path h = dir.resolve("h.csv");
            Files.writeString(h, "email,consent_purpose,consent_status,consent_at\nanna@example.com,newsletter,granted,2024-01-01T00:00:00Z\nanna@example.com,newsletter,withdrawn,\n");
            System.out.println("H1 " + new ContactImport(db).run(h, null, false, "t", null));
            System.out.println("H2 " + new ContactImport(db).run(h, null, false, "t", null));
            Path u = dir.resolve("u.csv");
            Files.writeString(u, "email,consent_purpose,consent_status\ncarl@example.com,newsletter,granted\ncarl@example.com,newsletter,withdrawn\n");
            System.out.println("U1 " + new ContactImport(db).run(u, null, false, "t", null));
            System.out.println("U2 " + new ContactImport(db).run(u, null, false, "t", null));
        }
    }
}
