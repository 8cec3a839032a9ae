package dev.mailer.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {
    @Test
    void aUserAndPasswordInTheUrlAreTakenOutOfItAndWin() {
        DatabaseSettings settings = DatabaseSettings.server("jdbc:postgresql://mailer:p%40ss/w@db.internal:5432/mailer?ssl=true",
                "other", "from-environment");
        assertThat(settings.url()).isEqualTo("jdbc:postgresql://db.internal:5432/mailer?ssl=true");
        assertThat(settings.user()).isEqualTo("mailer");
        assertThat(settings.password()).isEqualTo("p@ss/w");
    }

    @Test
    void withoutUserInformationTheUrlIsLeftAlone() {
        DatabaseSettings settings = DatabaseSettings.server("jdbc:postgresql://db/mailer?user=a@b&password=x", "u", "p");
        assertThat(settings.url()).isEqualTo("jdbc:postgresql://db/mailer?user=a@b&password=x");
        assertThat(settings.user()).isEqualTo("u");
        assertThat(DatabaseSettings.server("jdbc:postgresql://u@db/mailer", null, "p").password()).isEqualTo("p");
    }

    @Test
    void neitherToStringNorDescribeShowsThePassword() {
        DatabaseSettings settings = DatabaseSettings.server("jdbc:postgresql://db/mailer?password=hunter2", "u", "tiger-2026");
        assertThat(settings.toString()).doesNotContain("hunter2").doesNotContain("tiger-2026");
        assertThat(settings.describe()).isEqualTo("jdbc:postgresql://db/mailer?password=***");
    }
}
