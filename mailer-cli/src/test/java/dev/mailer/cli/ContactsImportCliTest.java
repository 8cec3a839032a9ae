package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code contacts import} through the command line against a real PostgreSQL: reject reasons that
 * are the same on every run, in this JVM and in others.
 */
class ContactsImportCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliRunner();
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
    }

    /**
     * A row whose consent columns have values but no purpose names the first of them in SPEC order.
     * The columns used to be checked in the iteration order of a {@code Set.of}, which a JVM picks at
     * start: the reason changed between runs. Child JVMs run it twice more, each with its own order.
     */
    @Test
    void theSameFileGivesTheSameRejectReasonsOnEveryRunAndInEveryJvm() throws Exception {
        Path file = Files.writeString(dir.resolve("no-purpose.csv"), """
                email,parental_consent,lawful_basis,confirmed_at,consent_text,consent_ip,consent_source,consent_at
                anna@example.com,true,consent,2025-06-01T12:05:00Z,v1,192.0.2.1,form,2025-06-01T12:00:00Z
                bob@example.com,true,consent,2025-06-01T12:05:00Z,v1,192.0.2.1,form,
                carl@example.com,true,,,,,,
                """);
        List<String> expected = List.of("consent_at given without consent_purpose",
                "consent_source given without consent_purpose", "parental_consent given without consent_purpose");

        List<List<String>> runs = new ArrayList<>();
        runs.add(reasons(cli.run("contacts", "import", file.toString(), "--json", "--strict").out()));
        runs.add(reasons(cli.run("contacts", "import", file.toString(), "--json", "--strict").out()));
        for (int i = 0; i < 2; i++) {
            try (MailerProcess child = MailerProcess.start(dir, "import-" + i, cli.env(), "contacts", "import",
                    file.toString(), "--json", "--strict", "--db", cli.dbUrl())) {
                assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.output()).isEqualTo(2);
                runs.add(reasons(child.out()));
            }
        }
        assertThat(runs).allSatisfy(reasons -> assertThat(reasons).isEqualTo(expected));
    }

    // ================================================================ helpers

    private static List<String> reasons(String json) throws IOException {
        List<String> reasons = new ArrayList<>();
        JSON.readTree(json).get("rejects").forEach(r -> reasons.add(r.get("reason").asText()));
        return reasons;
    }
}
