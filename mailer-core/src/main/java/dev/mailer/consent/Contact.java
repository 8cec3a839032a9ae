package dev.mailer.consent;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** A stored contact. */
public record Contact(long id, String email, String emailNormalized, String name, String locale, List<String> tags,
                      LocalDate birthDate, Map<String, Object> attributes, OffsetDateTime createdAt,
                      OffsetDateTime updatedAt) {
}
