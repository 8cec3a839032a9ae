package dev.mailer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailer.contacts.ConsentStatement;
import dev.mailer.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dry run catches the typo before the send: audience warnings, and the templates checked without recipients. */
class DryRunChecksTest {
    @TempDir
    Path dir;
    private TestDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.fresh();
        CampaignFixture.writeTemplates(dir);
        for (String email : List.of("anna@example.com", "bob@example.com")) {
            db.engine().consent().grant(email, new ConsentStatement("newsletter", ConsentStatement.GRANTED, null,
                    "form", null, null, OffsetDateTime.now(), ConsentStatement.BASIS_CONSENT, false), null, "test");
        }
        db.update("update contact set tags = '{customers}', locale = 'pl'");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private SendReport dryRun(CampaignSpec spec) {
        return new DryRun(db.engine().campaignPorts()).run(spec, CampaignFixture.settings(spec), dir, null);
    }

    private CampaignSpec.Builder spec(String purpose) {
        return CampaignSpec.builder("typo", purpose, "news", CampaignFixture.FROM).file(dir.resolve("campaign.yaml"));
    }

    @Test
    void aMistypedPurposeTagOrLocaleIsAWarningWithDidYouMean() {
        SendReport report = dryRun(spec("newsleter").audience(new Audience(List.of("Customers"), List.of("en")))
                .build());

        assertThat(report.valid()).as("warnings do not make it invalid").isTrue();
        assertThat(report.warnings()).extracting(SendWarning::code)
                .containsExactly("purpose_unheld", "tag_unknown", "locale_unknown", "audience_empty");
        assertThat(report.warnings().get(0).hint()).isEqualTo("Did you mean 'newsletter'?");
        assertThat(report.warnings().get(1).hint()).isEqualTo("Did you mean 'customers'?");
        assertThat(report.warnings().get(2).hint()).isNull();

        assertThat(dryRun(spec("newsletter").build()).warnings()).as("nothing to warn of").isEmpty();
    }

    @Test
    void theUnsubscribeLinkIsCheckedOnTheTemplatesEvenWhenNobodyIsEligible() throws Exception {
        Path news = dir.resolve("news");
        Files.writeString(news.resolve("html.ftlh"), "<p>Hello</p><#-- <a href=\"${unsubscribeUrl}\">x</a> -->");
        CampaignSpec nobody = spec("offers").build(); // nobody holds 'offers'

        SendReport report = dryRun(nobody);

        assertThat(report.eligible()).isZero();
        assertThat(report.valid()).isFalse();
        assertThat(report.errors()).extracting(CampaignError::code).containsExactly("template_unsubscribe");
        assertThat(report.errors().get(0).message()).contains("HTML part", "sample contact");

        CampaignFixture.writeTemplates(dir);
        Files.writeString(news.resolve("text_pl.ftl"), "Cześć ${contact.attributes.city}\n");
        SendReport polish = dryRun(nobody);
        assertThat(polish.errors()).as("a language variant without the link, which the sample cannot render")
                .extracting(CampaignError::message)
                .containsExactly("The text part of template 'news' for locale pl does not show ${unsubscribeUrl}"
                        + " (outside comments); every message must let its reader unsubscribe.");
    }

    @Test
    void didYouMeanPrefersTheSameWordInAnotherCaseThenTheNearest() {
        assertThat(AudienceWarnings.didYouMean("Customers", Set.of("customers", "vip"))).containsExactly("customers");
        assertThat(AudienceWarnings.didYouMean("newsleter", Set.of("newsletter", "offers", "news")))
                .containsExactly("newsletter");
        assertThat(AudienceWarnings.didYouMean("xyz", Set.of("newsletter"))).isEmpty();
    }
}
