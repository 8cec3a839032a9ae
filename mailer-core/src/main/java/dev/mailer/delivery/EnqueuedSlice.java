package dev.mailer.delivery;

import dev.mailer.audience.GateReport;

/**
 * One slice of a campaign's audience added as pending rows.
 *
 * @param added  rows added (contacts already holding a row for the campaign get no second one)
 * @param judged how the gate judged the slice's contacts while adding them
 */
public record EnqueuedSlice(int added, GateReport judged) {
}
