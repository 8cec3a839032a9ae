package dev.mailer.message;

import java.nio.charset.StandardCharsets;

/** The one signing secret of the tests, and its signer: tokens made by one test verify in another. */
public final class TestSecret {
    public static final byte[] BYTES = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    public static final TokenSigner SIGNER = new TokenSigner(BYTES);

    private TestSecret() {
    }
}
