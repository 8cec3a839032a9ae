package dev.mailer.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.message.Token;
import dev.mailer.message.TokenSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser against a corpus of feedback messages in the shapes real mail systems produce
 * (corpus/*.eml) and the expected result of each (corpus/expected.csv: one row per entry, in
 * order). Fixtures name our tokens by placeholder; real tokens signed with a fixed secret are put
 * in at test time, so that campaign and contact can be checked too, and tampered ones must not
 * count.
 */
class FeedbackCorpusTest {
    private static final String CORPUS = "/dev/mailer/feedback/corpus/";
    static final long CAMPAIGN = 42;
    static final long CONTACT = 1001;
    static final TokenSigner SIGNER = new TokenSigner(new byte[32]);
    private static final long DAY = LocalDate.of(2026, 3, 2).toEpochDay();
    static final String BOUNCE_TOKEN = SIGNER.sign(new Token(Token.Kind.BOUNCE, CAMPAIGN, CONTACT, null, DAY));
    static final String UNSUBSCRIBE_TOKEN = SIGNER.sign(new Token(Token.Kind.UNSUBSCRIBE, CAMPAIGN, CONTACT, null, DAY));

    private static final FeedbackParser PARSER = new FeedbackParser(SIGNER);
    private static final AtomicInteger ROWS = new AtomicInteger();
    private static final AtomicInteger MATCHED = new AtomicInteger();

    /** One expected entry. */
    record Row(String type, String recipient, boolean hard, String status) {
        static Row of(Feedback f) {
            return new Row(f.type().json(), f.recipient(), f.hard(), f.status());
        }
    }

    static Map<String, List<Row>> expected() throws IOException {
        Map<String, List<Row>> rows = new LinkedHashMap<>();
        try (InputStream in = FeedbackCorpusTest.class.getResourceAsStream(CORPUS + "expected.csv");
             Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)) {
                rows.computeIfAbsent(r.get("file"), f -> new ArrayList<>()).add(new Row(r.get("type"),
                        emptyToNull(r.get("recipient")), Boolean.parseBoolean(r.get("hard")), emptyToNull(r.get("status"))));
            }
        }
        return rows;
    }

    static Stream<String> files() throws IOException {
        return expected().keySet().stream();
    }

    /** The fixture's bytes with real tokens in place of the placeholders. */
    static byte[] fixture(String file) throws IOException {
        byte[] raw;
        try (InputStream in = FeedbackCorpusTest.class.getResourceAsStream(CORPUS + file)) {
            assertThat(in).as(file).isNotNull();
            raw = in.readAllBytes();
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        if (!text.contains("{{")) {
            return raw; // binary fixtures stay byte for byte
        }
        return text.replace("{{BOUNCE_TOKEN}}", BOUNCE_TOKEN)
                .replace("{{UNSUBSCRIBE_TOKEN}}", UNSUBSCRIBE_TOKEN)
                .replace("{{TAMPERED_BOUNCE_TOKEN}}", tamper(BOUNCE_TOKEN))
                .replace("{{TAMPERED_UNSUBSCRIBE_TOKEN}}", tamper(UNSUBSCRIBE_TOKEN))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static String tamper(String token) {
        char[] chars = token.toCharArray();
        chars[6] = chars[6] == 'A' ? 'B' : 'A';
        return new String(chars);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void eachMessageGivesTheExpectedEntries(String file) throws IOException {
        List<Row> want = expected().get(file);
        List<Feedback> got = PARSER.parse(fixture(file));
        List<Row> gotRows = got.stream().map(Row::of).toList();
        ROWS.addAndGet(want.size());
        for (int i = 0; i < want.size(); i++) {
            if (i < gotRows.size() && gotRows.get(i).equals(want.get(i))) {
                MATCHED.incrementAndGet();
            }
        }
        assertThat(gotRows).as(file).containsExactlyElementsOf(want);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void campaignAndContactComeOnlyFromTokensThatVerify(String file) throws IOException {
        String source = new String(rawFixture(file), StandardCharsets.ISO_8859_1);
        boolean realToken = source.contains("{{BOUNCE_TOKEN}}") || source.contains("{{UNSUBSCRIBE_TOKEN}}");
        for (Feedback feedback : PARSER.parse(fixture(file))) {
            if (realToken) {
                assertThat(feedback.campaignId()).as(file).isEqualTo(CAMPAIGN);
                assertThat(feedback.contactId()).as(file).isEqualTo(CONTACT);
            } else {
                assertThat(feedback.campaignId()).as(file).isNull();
                assertThat(feedback.contactId()).as(file).isNull();
            }
            assertThat(feedback.sourceKey()).as(file).isNotBlank();
        }
    }

    @Test
    void everyFixtureHasExpectations() throws IOException, URISyntaxException {
        URL dir = FeedbackCorpusTest.class.getResource(CORPUS);
        List<String> fixtures;
        try (Stream<Path> list = Files.list(Path.of(dir.toURI()))) {
            fixtures = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".eml")).sorted().toList();
        }
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(40);
        assertThat(expected().keySet()).containsExactlyInAnyOrderElementsOf(fixtures);
    }

    @Test
    void unsubscribeMailIsKeyedByItsToken() throws IOException {
        Feedback mailto = PARSER.parse(fixture("unsubscribe-mailto.eml")).get(0);
        Feedback button = PARSER.parse(fixture("unsubscribe-gmail-button.eml")).get(0);
        assertThat(mailto.sourceKey()).isEqualTo("unsubscribe:" + UNSUBSCRIBE_TOKEN).isEqualTo(button.sourceKey());
    }

    @AfterAll
    static void printAccuracy() {
        if (ROWS.get() > 0) {
            System.out.printf("feedback corpus: %d of %d entries right (%.1f%%)%n", MATCHED.get(), ROWS.get(),
                    100.0 * MATCHED.get() / ROWS.get());
        }
    }

    private static byte[] rawFixture(String file) throws IOException {
        try (InputStream in = FeedbackCorpusTest.class.getResourceAsStream(CORPUS + file)) {
            return in.readAllBytes();
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
