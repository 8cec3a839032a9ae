package dev.mailer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small shop for CLI tests that send: mailer.yaml, a newsletter template, consenting contacts
 * (person0@example.com …), campaign files, and {@code mailer} child processes on the same database.
 */
final class ShopFixture {
    private final Path dir;
    private final CliRunner cli;
    private final Path config;

    private ShopFixture(Path dir, CliRunner cli, Path config) {
        this.dir = dir;
        this.cli = cli;
        this.config = config;
    }

    static ShopFixture create(Path dir, CliRunner cli) throws IOException {
        cli.env().put("MAILER_HOME", dir.resolve("home").toString());
        Path templates = Files.createDirectories(dir.resolve("templates/newsletter"));
        Files.writeString(templates.resolve("subject.ftl"), "News for ${contact.name!}");
        Files.writeString(templates.resolve("html.ftlh"), "<p>${contact.name!}</p><a href=\"${unsubscribeUrl}\">x</a>");
        Files.writeString(templates.resolve("text.ftl"), "${contact.name!}\n${unsubscribeUrl}\n");
        Path config = Files.writeString(dir.resolve("mailer.yaml"), """
                templates: %s
                unsubscribe-base-url: https://mail.kawiarnia.example
                sender:
                  organisation: Kawiarnia Nowak sp. z o.o.
                  postal-address: ul. Floriańska 1, 31-019 Kraków
                  dpo-email: iod@kawiarnia.example
                """.formatted(dir.resolve("templates")), StandardCharsets.UTF_8);
        return new ShopFixture(dir, cli, config);
    }

    CliRunner cli() {
        return cli;
    }

    Path config() {
        return config;
    }

    /** A newsletter campaign; {@code rate} like "1200/min", or null for no limit. */
    Path campaign(String name, String rate) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                name: %s
                purpose: newsletter
                template: newsletter
                from: "Kawiarnia Nowak <news@kawiarnia.example>"
                """.formatted(name) + (rate == null ? "" : "rate: " + rate + "\n"));
    }

    /** Imports {@code n} contacts with confirmed newsletter consent; returns their addresses. */
    List<String> importContacts(int n) throws IOException {
        StringBuilder csv = new StringBuilder("email,name,consent_purpose,consent_at,confirmed_at\n");
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            emails.add("person" + i + "@example.com");
            csv.append("person").append(i).append("@example.com,Person ").append(i)
                    .append(",newsletter,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z\n");
        }
        CliRunner.Result imported = cli.run("contacts", "import",
                Files.writeString(dir.resolve("contacts.csv"), csv).toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        return emails;
    }

    /** {@code mailer send CAMPAIGN --config … --smtp RELAY --json --db …} in-process. */
    CliRunner.Result send(Path campaign, String relay) {
        return cli.run("send", campaign.toString(), "--config", config.toString(), "--smtp", relay, "--json");
    }

    /** The same as a child process. */
    MailerProcess startSend(String name, Path campaign, String relay) throws IOException {
        return MailerProcess.start(dir, name, cli.env(), "send", campaign.toString(), "--config", config.toString(),
                "--smtp", relay, "--json", "--db", cli.dbUrl());
    }

    Map<String, Long> statusCounts() throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select status, count(*) from delivery group by status")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    long count(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every row of a query, each as a list of its columns as text. */
    List<List<String>> rows(String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(cli.dbUrl(), cli.env().get("MAILER_DB_USER"), cli.env().get("MAILER_DB_PASSWORD"));
    }
}
