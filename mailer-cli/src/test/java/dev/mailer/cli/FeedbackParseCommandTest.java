package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailer.message.Secrets;
import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mailer feedback parse}: JSON lines per feedback entry, no database, errors per file. */
class FeedbackParseCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "feedback-parse-test-secret-0123456789abcdef";

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    record Result(int exitCode, String out, String err) {
    }

    @BeforeEach
    void setUp() {
        env.put("MAILER_HOME", dir.resolve("home").toString());
        env.put("MAILER_SECRET", SECRET);
        // were the command to open the database, this would make it fail
        env.put("MAILER_DB_URL", "jdbc:postgresql://127.0.0.1:1/no-such-database");
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, new ByteArrayInputStream(new byte[0]), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A corpus fixture from mailer-core's tests, with tokens signed by this test's secret. */
    private Path fixture(String name) throws IOException {
        TokenSigner signer = new TokenSigner(Secrets.load(dir.resolve("home"), SECRET));
        long day = LocalDate.now().toEpochDay();
        String bounce = signer.sign(new Token(Token.Kind.BOUNCE, 42, 1001, null, day));
        String unsubscribe = signer.sign(new Token(Token.Kind.UNSUBSCRIBE, 42, 1001, null, day));
        byte[] raw;
        try (InputStream in = getClass().getResourceAsStream("/dev/mailer/feedback/corpus/" + name)) {
            assertThat(in).as(name).isNotNull();
            raw = in.readAllBytes();
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1)
                .replace("{{BOUNCE_TOKEN}}", bounce).replace("{{UNSUBSCRIBE_TOKEN}}", unsubscribe);
        Path file = dir.resolve(name);
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
        return file;
    }

    private static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    @Test
    void printsOneJsonLinePerEntryWithoutTouchingTheDatabase() throws IOException {
        Path multi = fixture("postfix-multi-recipient.eml");
        Path unsubscribe = fixture("unsubscribe-mailto.eml");
        Path autoReply = fixture("autoreply-polish.eml");

        Result result = run("feedback", "parse", multi.toString(), unsubscribe.toString(), autoReply.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        List<JsonNode> lines = lines(result.out());
        assertThat(lines).hasSize(5);
        assertThat(keys(lines.get(0))).containsExactly("file", "type", "recipient", "sentTo", "status", "action", "hard",
                "diagnostic", "campaign", "contact", "fault", "reason");

        JsonNode first = lines.get(0);
        assertThat(first.get("file").asText()).isEqualTo(multi.toString());
        assertThat(first.get("type").asText()).isEqualTo("bounce");
        assertThat(first.get("recipient").asText()).isEqualTo("piotr.nowak@biuro.example");
        assertThat(first.get("status").asText()).isEqualTo("5.1.1");
        assertThat(first.get("action").asText()).isEqualTo("failed");
        assertThat(first.get("hard").asBoolean()).isTrue();
        assertThat(first.get("diagnostic").asText()).contains("User unknown");
        assertThat(first.get("campaign").asLong()).isEqualTo(42);
        assertThat(first.get("contact").asLong()).isEqualTo(1001);
        assertThat(first.get("fault").asText()).isEqualTo("recipient");
        assertThat(first.get("reason").asText()).isEqualTo("user_unknown");
        assertThat(lines.subList(0, 3)).extracting(n -> n.get("hard").asBoolean()).containsExactly(true, false, false);

        JsonNode unsubscribed = lines.get(3);
        assertThat(unsubscribed.get("type").asText()).isEqualTo("unsubscribe");
        assertThat(unsubscribed.get("recipient").asText()).isEqualTo("aleksandra.wrona@poczta.example");
        assertThat(unsubscribed.get("status").isNull()).isTrue();
        assertThat(unsubscribed.get("contact").asLong()).isEqualTo(1001);
        assertThat(unsubscribed.get("fault").isNull()).as("only bounces have a fault").isTrue();

        JsonNode auto = lines.get(4);
        assertThat(auto.get("type").asText()).isEqualTo("unknown");
        assertThat(auto.get("hard").asBoolean()).isFalse();
        assertThat(auto.get("recipient").isNull()).isTrue();
    }

    @Test
    void aFileThatCannotBeReadIsReportedAndTheOthersStillParsed() throws IOException {
        Path good = fixture("qmail-no-mailbox.eml");
        Path missing = dir.resolve("no-such.eml");

        Result result = run("feedback", "parse", missing.toString(), dir.toString(), good.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().lines().toList()).containsExactly(
                "Cannot read " + missing + ": no such file.",
                "Cannot read " + dir + ": it is a directory.");
        assertThat(lines(result.out())).singleElement().satisfies(line -> {
            assertThat(line.get("recipient").asText()).isEqualTo("biuro@pracownia-mebli.example");
            assertThat(line.get("hard").asBoolean()).isTrue();
        });
    }

    @Test
    void tokensSignedWithAnotherSecretNameNobody() throws IOException {
        Path bounce = fixture("postfix-user-unknown.eml");
        env.put("MAILER_SECRET", "another-secret-another-secret-another-secret");

        Result result = run("feedback", "parse", bounce.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(lines(result.out())).singleElement().satisfies(line -> {
            assertThat(line.get("type").asText()).isEqualTo("bounce");
            assertThat(line.get("campaign").isNull()).isTrue();
            assertThat(line.get("contact").isNull()).isTrue();
        });
        assertThat(result.err().lines().toList())
                .containsExactly(bounce + ": token does not verify: not from us, or another secret.");
    }

    @Test
    void withoutASecretItClassifiesSaysSoOnceAndCreatesNothing() throws IOException {
        Path bounce = fixture("postfix-user-unknown.eml");
        Path autoReply = fixture("autoreply-polish.eml");
        Path home = dir.resolve("not-yet-created");
        env.put("MAILER_HOME", home.toString());
        env.remove("MAILER_SECRET");

        Result result = run("feedback", "parse", bounce.toString(), autoReply.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(home).as("MAILER_HOME is not created").doesNotExist();
        assertThat(result.err().lines().toList()).singleElement().asString()
                .contains("campaign and contact cannot be read").doesNotContain("token does not verify");
        List<JsonNode> lines = lines(result.out());
        assertThat(lines).extracting(n -> n.get("type").asText()).containsExactly("bounce", "unknown");
        assertThat(lines.get(0).get("hard").asBoolean()).isTrue();
        assertThat(lines.get(0).get("reason").asText()).isEqualTo("user_unknown");
        assertThat(lines.get(0).get("campaign").isNull()).isTrue();
        assertThat(lines.get(0).get("contact").isNull()).isTrue();
    }

    @Test
    void helpShowsAnExampleAndAFileIsRequired() {
        Result help = run("feedback", "parse", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Example", "mailer feedback parse bounce.eml");

        Result none = run("feedback", "parse");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("FILE.eml");

        Result parent = run("feedback");
        assertThat(parent.exitCode()).isEqualTo(2);
        assertThat(parent.err()).contains("parse");
    }
}
