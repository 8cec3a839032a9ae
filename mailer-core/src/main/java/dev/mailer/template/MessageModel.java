package dev.mailer.template;

import dev.mailer.audience.Recipient;
import freemarker.template.SimpleDate;
import freemarker.template.TemplateDateModel;
import java.time.ZoneId;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data a template sees (SPEC §7): {@code contact}, {@code campaign}, {@code sender},
 * {@code consent}, {@code unsubscribeUrl} and {@code preferencesUrl} (the preference centre). Only strings, lists, maps, a date and a boolean:
 * nothing in it can reach Java. Absent values are left out, so a template that uses one without
 * {@code !} or {@code ??} fails instead of printing nothing.
 */
public final class MessageModel {
    private MessageModel() {
    }

    /** The sender's identity for the footer (GDPR art. 13: who, where, whom to ask). */
    public record Sender(String organisation, String postalAddress, String dpoEmail) {
    }

    public static Map<String, Object> of(Recipient recipient, String campaignName, String purpose, Sender sender,
                                         String unsubscribeUrl, String preferencesUrl) {
        Map<String, Object> contact = new HashMap<>();
        contact.put("email", recipient.email());
        putIfPresent(contact, "name", recipient.name());
        putIfPresent(contact, "firstName", firstName(recipient.name()));
        putIfPresent(contact, "locale", recipient.locale());
        contact.put("tags", recipient.tags());
        contact.put("attributes", recipient.attributes());

        Map<String, Object> consent = new HashMap<>();
        consent.put("purpose", purpose);
        putIfPresent(consent, "source", recipient.consentSource());
        if (recipient.consentAt() != null) {
            // a date without a time of day, as FreeMarker's ?string and ?date expect it
            consent.put("date", new SimpleDate(Date.from(recipient.consentAt().toLocalDate()
                    .atStartOfDay(ZoneId.systemDefault()).toInstant()), TemplateDateModel.DATE));
        }
        consent.put("confirmed", recipient.confirmedAt() != null);

        Map<String, Object> senderModel = new HashMap<>();
        putIfPresent(senderModel, "organisation", sender.organisation());
        putIfPresent(senderModel, "postalAddress", sender.postalAddress());
        putIfPresent(senderModel, "dpoEmail", sender.dpoEmail());

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("contact", contact);
        model.put("campaign", Map.of("name", campaignName, "purpose", purpose));
        model.put("sender", senderModel);
        model.put("consent", consent);
        model.put("unsubscribeUrl", unsubscribeUrl);
        model.put("preferencesUrl", preferencesUrl);
        return model;
    }

    private static String firstName(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        return List.of(name.strip().split("\\s+")).get(0);
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
