package dev.mailer.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-recipient part of an RFC 3464 delivery status notification (message/delivery-status,
 * and its RFC 6533 UTF-8 form message/global-delivery-status).
 *
 * @param finalRecipient    Final-Recipient, normalized, or null when missing or not an address
 * @param originalRecipient Original-Recipient (the address as the sender gave it), or null
 * @param action            failed, delayed, delivered, relayed or expanded; inferred from the
 *                          status class when the field is missing
 * @param status            the Status field's code, or null
 * @param diagnostic        Diagnostic-Code without its type ("smtp;"), or null
 */
record DeliveryStatus(String finalRecipient, String originalRecipient, String action, String status,
                      String diagnostic) {

    /** Reads every recipient record. Broken reports are common, so this bends rather than breaks:
     *  a record starts at a blank line or at a second recipient field without one. */
    static List<DeliveryStatus> parse(String text) {
        List<DeliveryStatus> records = new ArrayList<>();
        Builder current = new Builder();
        int group = -1;
        for (HeaderFields.Field field : HeaderFields.parse(text)) {
            if (field.group() != group) {
                current.addTo(records);
                current = new Builder();
                group = field.group();
            }
            switch (field.name()) {
                case "original-recipient" -> {
                    if (current.original != null) {
                        current.addTo(records);
                        current = new Builder();
                    }
                    current.original = field.value();
                }
                case "final-recipient" -> {
                    if (current.finalSeen) {
                        current.addTo(records);
                        current = new Builder();
                    }
                    current.finalSeen = true;
                    current.finalRecipient = field.value();
                }
                case "action" -> current.action = field.value();
                case "status" -> current.status = field.value();
                case "diagnostic-code" -> current.diagnostic = field.value();
                default -> {
                    // per-message fields (Reporting-MTA, Arrival-Date …) and extensions
                }
            }
        }
        current.addTo(records);
        return records;
    }

    /** True for a record that reports a failure or a delay: the ones that are bounces. */
    boolean isBounce() {
        return "failed".equals(action) || "delayed".equals(action);
    }

    /** "rfc822; <Jan@Example.com>" → "jan@example.com"; "utf-8; …" RFC 6533 form too. */
    static String address(String typedAddress) {
        if (typedAddress == null) {
            return null;
        }
        String value = typedAddress;
        int semicolon = value.indexOf(';');
        if (semicolon >= 0 && semicolon < 20) {
            value = value.substring(semicolon + 1);
        }
        value = value.strip();
        if (value.startsWith("<") && value.indexOf('>') > 0) {
            value = value.substring(1, value.indexOf('>'));
        }
        String normalized = Addresses.normalize(value);
        return normalized != null ? normalized : Addresses.first(value);
    }

    /** "smtp; 550 5.1.1 …" → "550 5.1.1 …"; keeps values with no type. */
    static String stripType(String diagnostic) {
        if (diagnostic == null) {
            return null;
        }
        int semicolon = diagnostic.indexOf(';');
        if (semicolon > 0 && semicolon < 20 && diagnostic.substring(0, semicolon).strip().matches("(?i)[a-z][a-z0-9-]*")) {
            return diagnostic.substring(semicolon + 1).strip();
        }
        return diagnostic.strip();
    }

    private static final class Builder {
        String original;
        String finalRecipient;
        boolean finalSeen;
        String action;
        String status;
        String diagnostic;

        void addTo(List<DeliveryStatus> records) {
            if (original == null && !finalSeen) {
                return;
            }
            String code = SmtpReplies.statusField(status);
            String act = action(action == null ? "" : firstWord(action), code);
            records.add(new DeliveryStatus(address(finalRecipient), address(original), act, code,
                    stripType(diagnostic)));
        }

        /** The standard action word; non-standard ones ("expired", "failure") mapped onto it. */
        private static String action(String word, String code) {
            if (word.startsWith("fail") || word.equals("expired") || word.startsWith("undeliver")
                    || word.startsWith("bounce") || word.startsWith("reject")) {
                return "failed";
            }
            if (word.startsWith("delay")) {
                return "delayed";
            }
            if (word.equals("delivered") || word.equals("relayed") || word.equals("expanded")) {
                return word;
            }
            if (code == null) {
                return "failed";
            }
            return switch (code.charAt(0)) {
                case '2' -> "delivered";
                case '4' -> "delayed";
                default -> "failed";
            };
        }

        private static String firstWord(String text) {
            String t = text.strip().toLowerCase(Locale.ROOT);
            int end = 0;
            while (end < t.length() && Character.isLetter(t.charAt(end))) {
                end++;
            }
            return t.substring(0, end);
        }
    }
}
