package dev.mailer.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenSignerTest {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final long TODAY = LocalDate.of(2026, 11, 23).toEpochDay();

    private static byte[] secret(int seed) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) seed);
        s[0] = 42;
        return s;
    }

    private final TokenSigner signer = new TokenSigner(secret(1));

    @ParameterizedTest
    @EnumSource(Token.Kind.class)
    void roundTripOfEachKind(Token.Kind kind) {
        Token token = new Token(kind, 17, 123_456, null, TODAY);
        String text = signer.sign(token);
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(signer.verify(text)).contains(token);
        assertThat(signer.verify(text, kind)).contains(token);
    }

    @Test
    void roundTripWithPurposeAndEdgeValues() {
        for (Token token : new Token[] {
                new Token(Token.Kind.CONFIRM, 0, 1, "newsletter — zażółć gęślą jaźń", TODAY),
                new Token(Token.Kind.UNSUBSCRIBE, Long.MAX_VALUE, Long.MAX_VALUE, "x", Long.MAX_VALUE),
                new Token(Token.Kind.BOUNCE, 0, 0, null, 0),
                new Token(Token.Kind.BOUNCE, 1, 2, null, -1_000_000),
                new Token(Token.Kind.CONFIRM, 1, 2, "p".repeat(TokenSigner.MAX_PURPOSE_BYTES), Long.MIN_VALUE)}) {
            String text = signer.sign(token);
            assertThat(text).matches("[A-Za-z0-9_-]+").hasSizeLessThanOrEqualTo(TokenSigner.MAX_TOKEN_CHARS);
            assertThat(signer.verify(text)).as(token.toString()).contains(token);
        }
    }

    @Test
    void emptyPurposeIsNoPurpose() {
        Token token = new Token(Token.Kind.CONFIRM, 3, 4, "", TODAY);
        assertThat(token.purpose()).isNull();
        assertThat(signer.verify(signer.sign(token))).contains(token);
    }

    @Test
    void purposeTooLongOrNegativeIdsAreRefusedWhenSigning() {
        assertThatThrownBy(() -> signer.sign(new Token(Token.Kind.CONFIRM, 1, 1,
                "ż".repeat(TokenSigner.MAX_PURPOSE_BYTES / 2 + 1), TODAY)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Token(Token.Kind.CONFIRM, -1, 1, null, TODAY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyChangedCharacterIsRejected() {
        Token token = new Token(Token.Kind.UNSUBSCRIBE, 9_876_543_210L, 1_234_567_890L, "purpose", TODAY);
        String text = signer.sign(token);
        for (int i = 0; i < text.length(); i++) {
            for (char c : ALPHABET.toCharArray()) {
                if (c == text.charAt(i)) {
                    continue;
                }
                String tampered = text.substring(0, i) + c + text.substring(i + 1);
                assertThat(signer.verify(tampered)).as("position %d -> %c", i, c).isEmpty();
            }
        }
    }

    @Test
    void everyChangedBitOfThePayloadAndTagIsRejected() {
        String text = signer.sign(new Token(Token.Kind.BOUNCE, 77, 88, null, TODAY));
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] copy = bytes.clone();
                copy[i] ^= (byte) (1 << bit);
                String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(copy);
                assertThat(signer.verify(tampered)).as("byte %d bit %d", i, bit).isEmpty();
            }
        }
    }

    @Test
    void anotherSecretIsRejected() {
        Token token = new Token(Token.Kind.UNSUBSCRIBE, 5, 6, null, TODAY);
        TokenSigner other = new TokenSigner(secret(2));
        assertThat(other.verify(signer.sign(token))).isEmpty();
        assertThat(signer.verify(other.sign(token))).isEmpty();
    }

    @Test
    void anotherCampaignIdWithoutTheSecretIsRejected() {
        // an attacker who has a token for campaign 5 builds the same payload for campaign 6; they
        // can only sign it with a key of their own (here: a plain HMAC with a guessed secret)
        String text = signer.sign(new Token(Token.Kind.UNSUBSCRIBE, 5, 6, null, TODAY));
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        byte[] payload = Arrays.copyOf(bytes, bytes.length - TokenSigner.TAG_BYTES);
        assertThat(payload[1]).isEqualTo((byte) 5);
        payload[1] = 6;
        for (byte[] key : new byte[][] {secret(1), secret(3)}) {
            byte[] forged = Arrays.copyOf(payload, bytes.length);
            System.arraycopy(hmac(key, payload), 0, forged, payload.length, TokenSigner.TAG_BYTES);
            assertThat(signer.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(forged))).isEmpty();
        }
        // and without any new tag, the old one does not fit the new payload
        byte[] swapped = bytes.clone();
        swapped[1] = 6;
        assertThat(signer.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(swapped))).isEmpty();
        // a token of another campaign, properly signed, is of course that campaign's
        assertThat(signer.verify(signer.sign(new Token(Token.Kind.UNSUBSCRIBE, 6, 6, null, TODAY))))
                .map(Token::campaignId).contains(6L);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void kindMismatchIsRejected() {
        String unsubscribe = signer.sign(new Token(Token.Kind.UNSUBSCRIBE, 1, 2, null, TODAY));
        assertThat(signer.verify(unsubscribe, Token.Kind.BOUNCE)).isEmpty();
        assertThat(signer.verify(unsubscribe, Token.Kind.CONFIRM)).isEmpty();
        assertThat(signer.verify(unsubscribe, Token.Kind.UNSUBSCRIBE)).isPresent();
    }

    @Test
    void malformedInputIsRejectedWithoutThrowing() {
        String good = signer.sign(new Token(Token.Kind.UNSUBSCRIBE, 12, 34, null, TODAY));
        for (String bad : new String[] {
                null, "", "A", "AA", "====", good + "=", good + "==", good + "A", good + "AAAA",
                good.substring(0, good.length() - 1), good.substring(0, good.length() - 4), good.substring(1),
                "+" + good.substring(1), good.substring(0, 5) + "/" + good.substring(6), " " + good, good + "\n", good + "%00",
                "é".repeat(30), "żółw" + good, good.toUpperCase(), "x".repeat(10 * 1024),
                "A".repeat(TokenSigner.MAX_TOKEN_CHARS + 4), "\u0000".repeat(40), "../../etc/passwd",
                "${jndi:ldap://x}"}) {
            assertThat(signer.verify(bad)).as(String.valueOf(bad)).isEmpty();
            assertThat(signer.verify(bad, Token.Kind.UNSUBSCRIBE)).isEmpty();
        }
        assertThat(signer.verify(good)).isPresent();
    }

    @Test
    void hugeInputIsRejectedQuickly() {
        String huge = "A".repeat(5_000_000);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(signer.verify(huge)).isEmpty();
        }
        // generous: rejecting by length must not decode 5 MB a thousand times (that would take seconds)
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
    }

    @Test
    void unsubscribeAndBounceTokensFitInAnAddressLocalPart() {
        long tenDigits = 9_999_999_999L;
        String person = "a.very.long.local.part.of.somebody@a-long-domain-name.example";
        for (Token.Kind kind : new Token.Kind[] {Token.Kind.UNSUBSCRIBE, Token.Kind.BOUNCE}) {
            for (long day : new long[] {TODAY, LocalDate.of(2040, 12, 31).toEpochDay()}) {
                String text = signer.sign(new Token(kind, tenDigits, tenDigits, null, day, person));
                assertThat(text).hasSizeLessThanOrEqualTo(48);
                assertThat(("unsubscribe+" + text).getBytes(StandardCharsets.US_ASCII)).hasSizeLessThanOrEqualTo(64);
            }
            // ids up to 2^42 (13 digits) still fit in 64 octets
            long id = (1L << 42) - 1;
            String text = signer.sign(new Token(kind, id, id, null, TODAY, person));
            assertThat(("unsubscribe+" + text).getBytes(StandardCharsets.US_ASCII)).hasSizeLessThanOrEqualTo(64);
            assertThat(("bounces+" + text).getBytes(StandardCharsets.US_ASCII)).hasSizeLessThanOrEqualTo(64);
        }
        System.out.printf("token lengths: 10-digit ids %d, 2^42 ids %d chars%n",
                signer.sign(new Token(Token.Kind.BOUNCE, tenDigits, tenDigits, null, TODAY, person)).length(),
                signer.sign(new Token(Token.Kind.BOUNCE, (1L << 42) - 1, (1L << 42) - 1, null, TODAY, person)).length());
    }

    @Test
    void aTokenNamesItsPersonAndOnlyThatPerson() {
        Token token = new Token(Token.Kind.UNSUBSCRIBE, 7, 42, null, TODAY, "anna@example.com");
        Token read = signer.verify(signer.sign(token)).orElseThrow();

        assertThat(read).isEqualTo(token);
        assertThat(read.person()).isEqualTo(Token.personOf("anna@example.com")).isNotZero();
        assertThat(read.madeFor("anna@example.com", null)).isTrue();
        assertThat(read.madeFor("bob@example.com", java.time.OffsetDateTime.now().minusYears(1)))
                .as("contact 42 is somebody else in this database").isFalse();
        assertThat(read.madeFor(null, null)).isFalse();
    }

    @Test
    void tokensOfTheOlderFormatStillReadAndFitWhereTheContactIsOlder() {
        Token older = new Token(Token.Kind.UNSUBSCRIBE, 7, 42, null, TODAY);
        Token read = signer.verify(signer.sign(older)).orElseThrow();
        java.time.OffsetDateTime issued = LocalDate.ofEpochDay(TODAY).atStartOfDay().atOffset(java.time.ZoneOffset.UTC);

        assertThat(read.person()).isZero();
        assertThat(read.madeFor("anyone@example.com", issued.minusDays(30))).isTrue();
        assertThat(read.madeFor("anyone@example.com", issued.plusHours(5))).as("the same day").isTrue();
        assertThat(read.madeFor("anyone@example.com", issued.plusDays(3)))
                .as("a contact created after the token cannot be whom it was made for").isFalse();
    }

    @Test
    void shortSecretIsRefused() {
        assertThatThrownBy(() -> new TokenSigner(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signsAndVerifiesFromManyThreads() throws Exception {
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 5_000; i++) {
                        Token token = new Token(Token.Kind.BOUNCE, id, i, null, TODAY);
                        Optional<Token> back = signer.verify(signer.sign(token), Token.Kind.BOUNCE);
                        if (!back.equals(Optional.of(token))) {
                            throw new AssertionError("mismatch " + token);
                        }
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure[0]).isNull();
    }

    @Test
    void aTokenOfAnotherSecretHasTheShapeOfOneButAPlusAddressTagDoesNot() {
        byte[] other = new byte[32];
        Arrays.fill(other, (byte) 9);
        String foreign = new TokenSigner(other).sign(new Token(Token.Kind.BOUNCE, 42, 1001, null, TODAY));

        assertThat(new TokenSigner(new byte[32]).verify(foreign)).isEmpty();
        assertThat(TokenSigner.hasTokenShape(foreign)).as("another installation's token").isTrue();
        assertThat(TokenSigner.hasTokenShape("newsletter_subscription_2024")).isFalse();
        assertThat(TokenSigner.hasTokenShape("not a token")).isFalse();
        assertThat(TokenSigner.hasTokenShape(null)).isFalse();
    }
}
