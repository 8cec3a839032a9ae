package dev.mailer.campaign;

import dev.mailer.error.MailerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code mailer report CAMPAIGN --csv}: one row per recipient with what happened, for audits.
 * Streamed from a cursor. Cells that a spreadsheet would run as a formula (a reply text or an
 * address starting with {@code =}, {@code +}, {@code -} or {@code @}) get a leading apostrophe:
 * the text comes from remote servers and from the people themselves.
 */
public final class OutcomesCsv {
    static final List<String> COLUMNS = List.of("email", "status", "attempts", "smtp_code", "enhanced_status",
            "smtp_reply", "queue_id", "message_id", "sent_at", "next_attempt_at", "skip_reason", "updated_at",
            "bounce", "complaint", "unsubscribed");

    private OutcomesCsv() {
    }

    /** @return how many rows were written */
    public static long write(CampaignPorts ports, String campaignName, Writer out) {
        long campaignId = ports.campaigns().findId(campaignName)
                .orElseThrow(() -> MailerException.usage("There is no campaign named '" + campaignName
                        + "'; campaigns are created by their first send or preview."));
        try {
            CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder()
                    .setHeader(COLUMNS.toArray(String[]::new)).get());
            long[] rows = {0};
            // a cursor lives in a transaction
            ports.transactions().inTransaction(() -> ports.campaigns().outcomes(campaignId,
                    row -> print(printer, row, rows)));
            printer.flush();
            return rows[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The row's cells in {@link #COLUMNS} order. */
    private static List<Object> cells(RecipientOutcome row) {
        return Arrays.asList(row.email(), row.status(), row.attempts(), row.smtpCode(), row.enhancedStatus(),
                row.smtpReply(), row.queueId(), row.messageId(), row.sentAt(), row.nextAttemptAt(), row.skipReason(),
                row.updatedAt(), row.bounce(), row.complaint(), row.unsubscribed());
    }

    private static void print(CSVPrinter printer, RecipientOutcome row, long[] rows) {
        try {
            List<Object> cells = cells(row);
            for (int i = 0; i < COLUMNS.size(); i++) {
                printer.print(cell(COLUMNS.get(i), cells.get(i)));
            }
            printer.println();
            rows[0]++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cell(String column, Object value) {
        if (value == null) {
            return column.equals("email") ? "(erased)" : "";
        }
        if (value instanceof OffsetDateTime time) {
            return time.withOffsetSameInstant(ZoneOffset.UTC).toString();
        }
        String text = value.toString();
        return !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }
}
