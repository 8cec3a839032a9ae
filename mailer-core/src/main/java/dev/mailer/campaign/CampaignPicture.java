package dev.mailer.campaign;

import java.util.List;

/**
 * What {@code report --html} draws besides the report's figures: how sending went over time and
 * how each recipient domain answered.
 *
 * @param curve   messages sent in each of up to 60 equal slices between the first and the last message
 * @param domains the 25 domains most sent to, with their bounces and complaints
 */
public record CampaignPicture(List<Long> curve, List<Domain> domains) {
    public CampaignPicture {
        curve = List.copyOf(curve);
        domains = List.copyOf(domains);
    }

    public record Domain(String domain, long sent, long bouncedHard, long bouncedSoft, long complaints) {
    }
}
