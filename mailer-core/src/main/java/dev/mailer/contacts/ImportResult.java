package dev.mailer.contacts;

import java.util.List;

/**
 * What an import did, counted per data row (SPEC §3).
 *
 * @param rejectsTruncated true when more rows were rejected than {@code rejects} lists
 */
public record ImportResult(long imported, long updated, long unchanged, long rejected, List<Reject> rejects,
                           boolean rejectsTruncated, boolean aborted) {
}
