package dev.mailer.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away key pair and self-signed certificate, as a server context that presents it and
 * a client socket factory that trusts exactly it, and the PKCS12 file itself (for servers such as
 * GreenMail that read a key store file).
 */
public record TestCertificate(SSLContext serverContext, SSLSocketFactory clientSockets, Path keyStore) {

    /** The key store's and the key's password (a throw-away certificate: nothing to protect). */
    public static final String PASSWORD = "changeit";
    private static final char[] STORE_PASSWORD = PASSWORD.toCharArray();
    private static final String ALIAS = "smtp";

    /** @param subjectAltNames keytool's form, e.g. {@code dns:localhost,ip:127.0.0.1} */
    public static TestCertificate generate(Path dir, String commonName, String subjectAltNames)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path store = dir.resolve(commonName + ".p12");
        keytool(store, commonName, subjectAltNames);
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, STORE_PASSWORD);
        }
        return new TestCertificate(serverContext(keyStore), trustingOnly(keyStore), store);
    }

    /** Writes the certificate as a PEM file, the form a shop's CA bundle has; returns the file. */
    public Path writePem(Path file) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(this.keyStore)) {
            keyStore.load(in, STORE_PASSWORD);
        }
        String base64 = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(keyStore.getCertificate(ALIAS).getEncoded());
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n",
                StandardCharsets.US_ASCII);
        return file;
    }

    private static void keytool(Path store, String commonName, String subjectAltNames)
            throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + commonName, "-ext", "SAN=" + subjectAltNames,
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool failed: " + output);
        }
    }

    private static SSLContext serverContext(KeyStore keyStore) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** PKIX with this one certificate as the only anchor: what an internal CA's trust store does. */
    private static SSLSocketFactory trustingOnly(KeyStore keyStore) throws GeneralSecurityException, IOException {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry(ALIAS, keyStore.getCertificate(ALIAS));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context.getSocketFactory();
    }
}
