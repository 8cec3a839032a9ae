package dev.mailer.message;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our encoder, decoded by Jakarta Mail's: what goes in comes out, and every line stays short. */
class QuotedPrintableTest {

    private static String roundTrip(String text) throws Exception {
        byte[] encoded = QuotedPrintable.encode(text.getBytes(StandardCharsets.UTF_8));
        for (String line : new String(encoded, StandardCharsets.US_ASCII).split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(76);
            assertThat(line).doesNotEndWith(" ").doesNotEndWith("\t");
        }
        for (byte b : encoded) {
            assertThat(b & 0xff).isLessThan(128);
        }
        try (InputStream in = MimeUtility.decode(new ByteArrayInputStream(encoded), "quoted-printable")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void textWithDiacriticsEqualsSignsAndTrailingSpacesSurvives() throws Exception {
        String text = "Zażółć gęślą jaźń = 100%   \nĐorđe Šćekić čita\t\n\n" + "x".repeat(300) + " end \n";
        assertThat(roundTrip(text)).isEqualTo(text.replace("\n", "\r\n"));
    }

    @Test
    void crlfAndLoneCrBecomeCrlf() throws Exception {
        assertThat(roundTrip("a\r\nb\rc\n")).isEqualTo("a\r\nb\r\nc\r\n");
    }

    @Test
    void randomTextRoundTrips() throws Exception {
        Random random = new Random(7);
        String alphabet = "abc XYZ=.\t\nąęłżźćńóśĐđŠšČčĆćŽž<>&\"'";
        for (int n = 0; n < 300; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(400);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String expected = text.toString().replace("\n", "\r\n");
            String decoded = roundTrip(text.toString());
            assertThat(decoded).isEqualTo(expected);
        }
    }
}
