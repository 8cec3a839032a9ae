package dev.mailer.feedback.http;

import dev.mailer.optin.SignUpMailer;

/**
 * Where the sign-up form hands a valid sign-up: stores the double opt-in request(s) before the
 * answer and sends their mails afterwards, away from the request, so that the answer never waits
 * on a relay and is the same whether or not the address is known, erased or suppressed (those
 * get no request and no mail).
 */
public interface SignUps {
    /**
     * One sign-up: checked, within the caps, not yet sent (its purposes listed under {@code purposes:},
     * its tags from the allowed ones, its name cut and cleaned).
     *
     * @return false when it cannot be taken now: the form answers 503 (so does a database that is down)
     */
    boolean accept(SignUpMailer.Job signUp);
}
