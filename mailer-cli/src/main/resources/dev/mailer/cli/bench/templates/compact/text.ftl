Dear ${contact.name!"customer"},

Our winter blends are here: a smoky Sumatra, a bright Ethiopian and the
gingerbread latte you asked for. You have ${contact.attributes.loyalty_points!"0"} loyalty points to
spend in ${contact.attributes.city!"our shops"}.

Over the holidays we open 9:00-15:00; closed on 25 and 26 December.
See the blends: https://kawiarnia.example/winter

--
${sender.organisation}, ${sender.postalAddress}
Data protection: ${sender.dpoEmail}
You receive this because you subscribed<#if consent.source??> via ${consent.source}</#if>.
Unsubscribe: ${unsubscribeUrl}
