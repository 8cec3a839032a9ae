package dev.mailer.feedback.http;

import java.util.List;

/**
 * Where the sign-up form hands a valid sign-up: sends the double opt-in message(s) later, away
 * from the request, so that the answer is the same, and as fast, whether or not the address is
 * known, erased or suppressed (those get no mail).
 */
public interface SignUps {
    /**
     * One sign-up: checked, within the caps, not yet sent.
     *
     * @param purposes listed under {@code purposes:}, at least one
     * @param name     the person's name as typed (cut and cleaned), or null
     * @param locale   pl, en, sr-Latn or null
     * @param source   where the form is, for the consent record
     * @param tags     allowed tags for a new contact
     */
    record SignUp(String email, String name, List<String> purposes, String locale, String source, String clientIp,
                  List<String> tags) {
        public SignUp {
            purposes = List.copyOf(purposes);
            tags = List.copyOf(tags);
        }
    }

    /** @return false when it cannot be taken now (the queue is full): the form answers 503 */
    boolean accept(SignUp signUp);
}
