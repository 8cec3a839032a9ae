package dev.mailer.contacts;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * One valid CSV row: a contact and at most one consent statement. Contact fields whose column is
 * absent from the file are null and leave the stored value alone.
 */
public record ImportRow(long line, EmailAddress email, String name, String locale, List<String> tags,
                        LocalDate birthDate, Map<String, String> attributes, ConsentStatement consent) {
}
