package dev.mailer.feedback.webhooks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Amazon SNS's signing certificates may come from, and a small cache of them. A message names
 * the URL of the certificate it was signed with; anyone can write any URL there, so only HTTPS URLs
 * on an SNS host of AWS ({@code sns.<region>.amazonaws.com}, {@code .amazonaws.com.cn} in China)
 * are fetched, and TLS with the JVM's trust store vouches that the certificate is AWS's. The same
 * host rule applies to the link that confirms a subscription.
 */
final class SnsCertificates {
    /** An SNS endpoint of AWS: nothing else is ever fetched. */
    static final Pattern SNS_HOST = Pattern.compile("sns\\.[a-z0-9]+(-[a-z0-9]+)*\\.amazonaws\\.com(\\.cn)?");
    /** A certificate is about 2 KB of PEM. */
    static final int MAX_CERTIFICATE_BYTES = 64 * 1024;
    /** SNS uses one certificate per region at a time, rotated now and then. */
    static final int CACHE_SIZE = 32;

    private final HttpsFetcher fetcher;
    private final Map<String, X509Certificate> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, X509Certificate> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    SnsCertificates(HttpsFetcher fetcher) {
        this.fetcher = fetcher;
    }

    /** The certificate URL when it is one SNS would give: {@code https://sns.<region>.amazonaws.com/….pem}. */
    static Optional<URI> certificateUrl(String text) {
        return snsUrl(text).filter(uri -> uri.getRawQuery() == null && uri.getRawPath().endsWith(".pem"));
    }

    /** An HTTPS URL on an SNS host, default port, no user name, no fragment; else empty. */
    static Optional<URI> snsUrl(String text) {
        if (text == null) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        boolean ok = "https".equalsIgnoreCase(uri.getScheme()) && !uri.isOpaque() && SNS_HOST.matcher(host).matches()
                && (uri.getPort() == -1 || uri.getPort() == 443) && uri.getRawUserInfo() == null
                && uri.getRawFragment() == null && uri.getRawPath() != null && uri.getRawPath().startsWith("/");
        return ok ? Optional.of(uri) : Optional.empty();
    }

    /**
     * The certificate at this URL (one {@link #certificateUrl} accepted), from the cache or
     * fetched; checked to be valid now.
     *
     * @throws IOException when it cannot be fetched (the provider should retry)
     * @throws CertificateException when what was fetched is no certificate, or it is not valid now
     */
    X509Certificate certificate(URI url) throws IOException, CertificateException {
        X509Certificate certificate;
        synchronized (cache) {
            certificate = cache.get(url.toString());
        }
        if (certificate == null) {
            byte[] pem = fetcher.get(url, MAX_CERTIFICATE_BYTES);
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem));
            synchronized (cache) {
                cache.put(url.toString(), certificate);
            }
        }
        try {
            certificate.checkValidity();
        } catch (CertificateException e) {
            synchronized (cache) {
                cache.remove(url.toString());
            }
            throw e;
        }
        return certificate;
    }

    /** Fetches a subscription's confirmation link (one {@link #snsUrl} accepted). */
    void confirm(URI subscribeUrl) throws IOException {
        fetcher.get(subscribeUrl, MAX_CERTIFICATE_BYTES);
    }

    int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }
}
