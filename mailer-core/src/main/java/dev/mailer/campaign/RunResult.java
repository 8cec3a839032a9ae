package dev.mailer.campaign;

import dev.mailer.error.ErrorKind;

/**
 * How a send ended, with its report. {@code stoppedBy} is null when the run finished its work;
 * otherwise the run can be resumed by running the same campaign again.
 */
public record RunResult(SendReport report, ErrorKind stoppedBy, String reason) {
}
