package dev.mailer.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailer.contacts.ColumnMap.Attribute;
import dev.mailer.contacts.ColumnMap.Column;
import dev.mailer.contacts.ColumnMap.Dropped;
import dev.mailer.contacts.ColumnMap.Rule;
import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of --map and --map-file: Source=target, quoting, and the sentences for mistakes. */
class ColumnMapTest {
    @TempDir
    Path dir;

    @Test
    void rulesAreSeparatedByCommasAndNamesMayBeQuoted() {
        ColumnMap map = ColumnMap.parse(" Email Address = email ,\"Name, first\"=name,\"a=b\"=attribute:ab,"
                + "\"say \"\"hi\"\"\"=-,OPTIN_TIME=CONSENT_AT,,\" padded \"=\"attribute:x, y\"");

        assertThat(map.rules()).extracting(Rule::source, Rule::target).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Email Address", new Column("email")),
                org.assertj.core.groups.Tuple.tuple("Name, first", new Column("name")),
                org.assertj.core.groups.Tuple.tuple("a=b", new Attribute("ab")),
                org.assertj.core.groups.Tuple.tuple("say \"hi\"", new Dropped()),
                org.assertj.core.groups.Tuple.tuple("OPTIN_TIME", new Column("consent_at")),
                org.assertj.core.groups.Tuple.tuple(" padded ", new Attribute("x, y")));
    }

    @Test
    void aMapFileHasOneRulePerLineWhereCommasNeedNoQuotes() throws Exception {
        Path file = Files.writeString(dir.resolve("cols.map"), "\uFEFF# exported by the old shop\n"
                + "Name, first = name\r\n\n  # a comment\n\"x=y\" = tags\nE-mail=email", StandardCharsets.UTF_8);

        assertThat(ColumnMap.read(file).rules()).extracting(Rule::source, Rule::target, Rule::origin).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Name, first", new Column("name"), "map file cols.map line 2"),
                org.assertj.core.groups.Tuple.tuple("x=y", new Column("tags"), "map file cols.map line 5"),
                org.assertj.core.groups.Tuple.tuple("E-mail", new Column("email"), "map file cols.map line 6"));
    }

    @Test
    void mistakesAreOneUsageSentenceNamingTheRule() {
        assertUsage(() -> ColumnMap.parse("First Name=fname"), "--map 'First Name=fname': unknown target column"
                + " 'fname' (expected one of email, name, locale, tags, birth_date, consent_purpose, consent_status,"
                + " consent_at, consent_source, consent_ip, consent_text, confirmed_at, lawful_basis,"
                + " parental_consent; attribute:NAME for an attribute; - to leave the column out).");
        assertUsage(() -> ColumnMap.parse("Email Address"), "--map 'Email Address': expected Source=target (quote a"
                + " column name holding '=' or ',' in double quotes).");
        assertUsage(() -> ColumnMap.parse("=email"), "--map '=email': the column name before '=' is empty.");
        assertUsage(() -> ColumnMap.parse("\"Name, first=name"), "--map '\"Name, first=name': a double quote is"
                + " not closed.");
        assertUsage(() -> ColumnMap.parse("\"Name\" x=name"), "--map '\"Name\" x=name': unexpected text after the"
                + " closing quote.");
        assertUsage(() -> ColumnMap.parse("Na\"\"me=name"), "--map 'Na\"\"me=name': a double quote inside a name;"
                + " quote the whole name (\"like \"\"this\"\"\").");
        assertUsage(() -> ColumnMap.parse("X=attribute:"), "--map 'X=attribute:': 'attribute:' does not name a"
                + " usable attribute (1 to 100 characters, no control characters).");
        assertUsage(() -> ColumnMap.parse("X=attribute:Email"), "--map 'X=attribute:Email': email is one of mailer's"
                + " own columns, not an attribute; map to email instead.");
        assertUsage(() -> ColumnMap.parse("A=email").and(ColumnMap.parse("A=name")), "--map 'A=name': column 'A'"
                + " is mapped twice.");
        assertUsage(() -> ColumnMap.read(dir.resolve("missing.map")), "Map file not found: "
                + dir.resolve("missing.map") + ".");
    }

    private static void assertUsage(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(MailerException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE)).hasMessage(message);
    }

    @Test
    void mailchimpTagsAreQuotedAndCommaSeparated() {
        assertThat(ImportPreset.mailchimpTags("\"customers\",\"vip, gold\",\"say \"\"hi\"\"\"")).isEqualTo(
                List.of("customers", "vip, gold", "say \"hi\""));
        assertThat(ImportPreset.mailchimpTags("customers, vip")).isEqualTo(List.of("customers", "vip"));
        assertThat(ImportPreset.mailchimpTags("")).isEmpty();
    }
}
