package dev.mailer.campaign;

import java.util.List;

/** The campaign cannot be sent as it stands; each error says why (SPEC §6 {@code errors}). */
public final class CampaignInvalid extends Exception {
    private final List<CampaignError> errors;

    public CampaignInvalid(List<CampaignError> errors) {
        super(errors.isEmpty() ? "invalid campaign" : errors.get(0).message(), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<CampaignError> errors() {
        return errors;
    }
}
