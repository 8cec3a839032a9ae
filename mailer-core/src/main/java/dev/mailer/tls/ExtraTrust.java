package dev.mailer.tls;

import dev.mailer.error.ErrorKind;
import dev.mailer.error.MailerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The JVM's trusted certificate authorities plus those of a PEM bundle ({@code tls-ca} in
 * mailer.yaml, {@code MAILER_TLS_CA}): a shop's own CA or a relay's self-signed certificate is
 * trusted by relays and the mailbox alike, without JVM options in every cron job. A certificate
 * is accepted when either set of authorities accepts its chain; host names are checked by the
 * connection either way.
 */
public final class ExtraTrust {
    private ExtraTrust() {
    }

    /**
     * Sockets that trust the JVM's authorities and every certificate in {@code pemBundle}.
     *
     * @throws MailerException (config) when the file cannot be read or holds no certificate
     */
    public static SSLSocketFactory sockets(Path pemBundle) {
        List<X509Certificate> extra = read(pemBundle);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < extra.size(); i++) {
                store.setCertificateEntry("tls-ca-" + i, extra.get(i));
            }
            X509TrustManager bundle = trustManager(store);
            X509TrustManager jvm = trustManager(null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new EitherTrusts(jvm, bundle)}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The certificates in " + pemBundle + " cannot be used: "
                    + e.getMessage() + ".");
        }
    }

    private static List<X509Certificate> read(Path pemBundle) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pemBundle)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The TLS CA file " + pemBundle + " does not exist.");
        } catch (IOException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The TLS CA file " + pemBundle + " cannot be read: "
                    + e.getMessage() + ".");
        } catch (CertificateException e) {
            throw MailerException.of(ErrorKind.CONFIG, "The TLS CA file " + pemBundle
                    + " is not a PEM bundle of certificates (-----BEGIN CERTIFICATE----- …).");
        }
        List<X509Certificate> x509 = new ArrayList<>();
        certificates.forEach(c -> x509.add((X509Certificate) c));
        if (x509.isEmpty()) {
            throw MailerException.of(ErrorKind.CONFIG, "The TLS CA file " + pemBundle
                    + " holds no certificate (-----BEGIN CERTIFICATE----- …).");
        }
        return x509;
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store); // null: the JVM's cacerts
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Trusts a server's chain when the JVM's authorities or the bundle's do. */
    private record EitherTrusts(X509TrustManager jvm, X509TrustManager bundle) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                jvm.checkServerTrusted(chain, authType);
            } catch (CertificateException notByTheJvm) {
                bundle.checkServerTrusted(chain, authType); // its exception says why neither trusts it
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("mailer does not accept TLS clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = jvm.getAcceptedIssuers();
            X509Certificate[] b = bundle.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
