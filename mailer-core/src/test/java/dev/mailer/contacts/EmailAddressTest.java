package dev.mailer.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    static Stream<Arguments> validAddresses() {
        return Stream.of(
                arguments("anna@example.com", "anna@example.com"),
                arguments("Anna.Nowak@Example.COM", "anna.nowak@example.com"),
                arguments("  anna@example.com  ", "anna@example.com"),
                arguments("\tanna@example.com\n", "anna@example.com"),
                arguments("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
                arguments("o'brien@example.ie", "o'brien@example.ie"),
                arguments("a!#$%&*+/=?^_`{|}~-@example.com", "a!#$%&*+/=?^_`{|}~-@example.com"),
                arguments("x@a.io", "x@a.io"),
                arguments("user@my-domain.example", "user@my-domain.example"),
                arguments("user@123.example", "user@123.example"),
                arguments("jürgen@bücher.example", "jürgen@xn--bcher-kva.example"),
                arguments("JÜRGEN@BÜCHER.EXAMPLE", "jürgen@xn--bcher-kva.example"),
                arguments("JÜRGEN@xn--bcher-kva.example", "jürgen@xn--bcher-kva.example"),
                arguments("jurgen@XN--BCHER-KVA.EXAMPLE", "jurgen@xn--bcher-kva.example"),
                arguments("żaneta@przykład.pl", "żaneta@xn--przykad-rjb.pl"),
                arguments("ŻANETA@example.pl", "żaneta@example.pl"),
                arguments("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("validAddresses")
    void acceptsAndNormalizes(String raw, String normalized) {
        Optional<EmailAddress> parsed = EmailAddress.parse(raw);

        assertThat(parsed).isPresent();
        assertThat(parsed.get().normalized()).isEqualTo(normalized);
        assertThat(parsed.get().address()).isEqualTo(raw.strip());
        assertThat(EmailAddress.normalize(raw)).contains(normalized);
    }

    @Test
    void keepsTheAddressAsGivenButTrimmed() {
        EmailAddress address = EmailAddress.parse("  Jan@Bücher.DE ").orElseThrow();

        assertThat(address.address()).isEqualTo("Jan@Bücher.DE");
        assertThat(address.normalized()).isEqualTo("jan@xn--bcher-kva.de");
        assertThat(address.domain()).isEqualTo("xn--bcher-kva.de");
        assertThat(EmailAddress.parse("jan@xn--bcher-kva.de").orElseThrow().normalized())
                .isEqualTo(address.normalized());
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {
            "anna",                         // no @
            "anna.example.com",
            "@example.com",                 // empty local part
            "anna@",                        // empty domain
            "anna@@example.com",
            "anna@b@example.com",           // two @
            "an na@example.com",            // space inside
            "anna@exa mple.com",
            "anna @example.com",
            "anna\t@example.com",
            ".anna@example.com",            // leading dot
            "anna.@example.com",            // trailing dot in the local part
            "an..na@example.com",           // consecutive dots
            "anna@.example.com",
            "anna@example.com.",            // trailing dot in the domain
            "anna@example..com",
            "anna@localhost",               // single-label domain
            "anna@com",
            "a@1.2.3.4",                    // an IP address, not a domain
            "a@[1.2.3.4]",                  // address literal
            "a@[IPv6:2001:db8::1]",
            "\"anna nowak\"@example.com",   // quoted local part
            "anna(comment)@example.com",
            "anna,bob@example.com",
            "anna;bob@example.com",
            "<anna@example.com>",
            "Anna Nowak <anna@example.com>",
            "anna@exam_ple.com",            // not a host name
            "anna@-example.com",
            "anna@example-.com",
            "anna@exa\u0000mple.com",
            "anna\u0000@example.com",
            "anna@example.com\u0000",
            "anna\u200b@example.com",       // zero-width space
    })
    @NullAndEmptySource
    void rejectsInvalidAddresses(String raw) {
        assertThat(EmailAddress.parse(raw)).isEmpty();
        if (raw != null) {
            assertThat(EmailAddress.normalize(raw)).isEmpty();
        }
    }

    @Test
    void rejectsBlankAddresses() {
        assertThat(EmailAddress.parse("   ")).isEmpty();
        assertThat(EmailAddress.parse("\t\n")).isEmpty();
    }

    @Test
    void limitsTheLocalPartTo64Octets() {
        String domain = "@example.com";

        assertThat(EmailAddress.parse("a".repeat(64) + domain)).isPresent();
        assertThat(EmailAddress.parse("a".repeat(65) + domain)).isEmpty();
        // octets, not characters: 32 two-byte letters fit, 33 do not
        assertThat(EmailAddress.parse("ż".repeat(32) + domain)).isPresent();
        assertThat(EmailAddress.parse("ż".repeat(33) + domain)).isEmpty();
    }

    @Test
    void limitsTheAddressTo254Characters() {
        String local = "a".repeat(64);
        // labels of 63 + 63 + 58 + ".com": 64 + 1 + 189 = 254 characters
        String domain254 = "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".com";
        String address254 = local + "@" + domain254;
        String address255 = local + "@b" + domain254;

        assertThat(address254).hasSize(254);
        assertThat(address255).hasSize(255);
        assertThat(EmailAddress.parse(address254)).isPresent();
        assertThat(EmailAddress.parse(address255)).isEmpty();
        // the limit applies to the trimmed address
        assertThat(EmailAddress.parse("  " + address254 + "  ")).isPresent();
    }

    @Test
    void limitsDomainLabelsTo63Characters() {
        assertThat(EmailAddress.parse("a@" + "b".repeat(63) + ".com")).isPresent();
        assertThat(EmailAddress.parse("a@" + "b".repeat(64) + ".com")).isEmpty();
    }

    @Test
    void anIdnDomainLongerThanTheLimitOnceEncodedIsRejected() {
        // 60 'ü' become a punycode label far over 63 characters
        assertThat(EmailAddress.parse("a@" + "ü".repeat(60) + ".example")).isEmpty();
    }
}
