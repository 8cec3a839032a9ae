package dev.mailer.config;

import java.net.URI;
import java.util.List;

/**
 * {@code serve:} in mailer.yaml (SPEC §9): what the sign-up form may do.
 *
 * @param redirects      the only URLs a form may send people to afterwards (exact match)
 * @param signupTags     tags a form may give new contacts (others are ignored)
 * @param perAddressPerDay confirmation mails one address gets per day at most
 * @param perIpPerHour   sign-ups one client address may make per hour at most
 */
public record ServeConfig(List<URI> redirects, List<String> signupTags, int perAddressPerDay, int perIpPerHour) {
    public static final int DEFAULT_PER_ADDRESS_PER_DAY = 3;
    public static final int DEFAULT_PER_IP_PER_HOUR = 30;
    public static final ServeConfig DEFAULT = new ServeConfig(List.of(), List.of(), DEFAULT_PER_ADDRESS_PER_DAY,
            DEFAULT_PER_IP_PER_HOUR);

    public ServeConfig {
        redirects = List.copyOf(redirects);
        signupTags = List.copyOf(signupTags);
    }
}
