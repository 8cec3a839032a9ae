package dev.mailer.campaign;

import dev.mailer.message.TestSecret;
import dev.mailer.message.MailboxAddress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.ContactImport;
import dev.mailer.contacts.EmailAddress;
import dev.mailer.contacts.ImportResult;
import dev.mailer.message.MessageSettings;
import dev.mailer.message.TokenSigner;
import dev.mailer.store.TestDatabase;
import dev.mailer.template.MessageModel;
import dev.mailer.throttle.Pace;
import dev.mailer.throttle.Throttle;
import dev.mailer.transport.SmtpPool;
import dev.mailer.transport.SmtpRelay;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One campaign for the sending tests, in a directory of its own: its templates, its spec, its
 * messages, contacts to import, and a run of it against a relay. {@link CampaignRunTest},
 * {@link CrashResumeTest} and the child JVM {@link SendChild} all build it here.
 */
final class CampaignFixture {
    static final String PURPOSE = "newsletter";
    static final String SUBJECT = "December news";
    /** Fixed 32-byte secret for the unsubscribe tokens. */
    static final byte[] SECRET = TestSecret.BYTES;
    static final MailboxAddress FROM =
            new MailboxAddress("Kawiarnia", EmailAddress.parse("news@kawiarnia.example").orElseThrow());

    private final Path dir;
    private final CampaignSpec spec;
    private final CampaignMessages messages;

    private CampaignFixture(Path dir, CampaignSpec spec) throws CampaignInvalid {
        this.dir = dir;
        this.spec = spec;
        this.messages = CampaignMessages.prepare(spec, settings(spec), dir);
    }

    /** The campaign {@code name} with the templates written into {@code dir}/news. */
    static CampaignFixture create(Path dir, String name) throws IOException, CampaignInvalid {
        writeTemplates(dir);
        return new CampaignFixture(dir, spec(dir, name));
    }

    /** The campaign {@code name} over templates already in {@code dir} (the child JVM's). */
    static CampaignFixture existing(Path dir, String name) throws CampaignInvalid {
        return new CampaignFixture(dir, spec(dir, name));
    }

    CampaignSpec spec() {
        return spec;
    }

    CampaignMessages messages() {
        return messages;
    }

    /** Writes the campaign's templates into {@code templates}/news. */
    static void writeTemplates(Path templates) throws IOException {
        Path news = Files.createDirectories(templates.resolve("news"));
        Files.writeString(news.resolve("subject.ftl"), SUBJECT);
        Files.writeString(news.resolve("html.ftlh"),
                "<p>Hello ${contact.name!}</p><a href=\"${unsubscribeUrl}\">unsubscribe</a>");
        Files.writeString(news.resolve("text.ftl"), "Hello ${contact.name!}\nUnsubscribe: ${unsubscribeUrl}\n");
    }

    private static CampaignSpec spec(Path templates, String name) {
        return CampaignSpec.builder(name, PURPOSE, "news", FROM).file(templates.resolve("campaign.yaml")).build();
    }

    static MessageSettings settings(CampaignSpec spec) {
        return new MessageSettings(spec.from(), null,
                new MessageModel.Sender("Kawiarnia sp. z o.o.", "ul. Floriańska 1", "iod@kawiarnia.example"),
                URI.create("https://mail.kawiarnia.example"), "bounces@kawiarnia.example",
                "unsubscribe@kawiarnia.example", new TokenSigner(SECRET), null);
    }

    /**
     * Imports {@code eligible} contacts with confirmed consent for the purpose (a month old),
     * reader0@example.com onwards, and {@code ineligible} ones without any consent; returns the
     * eligible addresses.
     */
    List<String> importContacts(TestDatabase db, int eligible, int ineligible) throws IOException {
        DateTimeFormatter iso = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
        OffsetDateTime consentAt = OffsetDateTime.now(ZoneOffset.UTC).minusDays(30).withNano(0);
        StringBuilder csv = new StringBuilder("email,name,consent_purpose,consent_at,confirmed_at\r\n");
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < eligible; i++) {
            String email = "reader" + i + "@example.com";
            addresses.add(email);
            csv.append(email).append(",Reader ").append(i).append(',').append(PURPOSE).append(',')
                    .append(iso.format(consentAt)).append(',').append(iso.format(consentAt.plusHours(1))).append("\r\n");
        }
        for (int i = 0; i < ineligible; i++) {
            csv.append("stranger").append(i).append("@example.com,Stranger ").append(i).append(",,,\r\n");
        }
        Path file = Files.createTempFile(dir, "contacts", ".csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        ImportResult result = db.engine().contactImport().run(file, "test", false, "test", null);
        assertThat(result.rejects()).as("rejected rows").isEmpty();
        assertThat(result.imported()).isEqualTo(eligible + ineligible);
        return addresses;
    }

    /** A run of the campaign to the relay at {@code url}, without a throttle. */
    RunResult run(TestDatabase db, String url, CampaignRun.Options options) {
        return run(db, url, options, new Throttle(null, Map.of()));
    }

    RunResult run(TestDatabase db, String url, CampaignRun.Options options, Throttle throttle) {
        return run(db, url, options, throttle, null);
    }

    /** With {@code progress} told the run's figures every second. */
    RunResult run(TestDatabase db, String url, CampaignRun.Options options, Throttle throttle,
                  java.util.function.Consumer<CampaignRun.Progress> progress) {
        return run(db, url, options, throttle, progress, Pace.Settings.DEFAULT);
    }

    /** With a relay that asks to slow down paused and recovered by {@code pace}. */
    RunResult run(TestDatabase db, String url, CampaignRun.Options options, Throttle throttle,
                  java.util.function.Consumer<CampaignRun.Progress> progress, Pace.Settings pace) {
        try (SmtpPool pool = new SmtpPool(List.of(SmtpRelay.parse(url)), SmtpPool.DEFAULT_COOL_DOWN, null, pace)) {
            return new CampaignRun(db.engine().campaignPorts(), spec, messages, pool, throttle, options, progress).run();
        }
    }
}
