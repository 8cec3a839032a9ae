package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The send path's stages point down only: campaign and delivery declare the interfaces the store
 * implements, and never see the store or JDBC themselves.
 */
class SendPathLayersTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/mailer");

    @Test
    void campaignAndDeliveryImportNeitherTheStoreNorJdbc() throws IOException {
        List<String> shortcuts = new ArrayList<>();
        for (String stage : List.of("campaign", "delivery")) {
            try (Stream<Path> files = Files.list(SOURCES.resolve(stage))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    for (String line : Files.readAllLines(file)) {
                        if (line.startsWith("import dev.mailer.store.") || line.startsWith("import java.sql.")
                                || line.startsWith("import javax.sql.")) {
                            shortcuts.add(stage + "/" + file.getFileName() + ": " + line);
                        }
                    }
                }
            }
        }
        assertThat(shortcuts).isEmpty();
    }
}
