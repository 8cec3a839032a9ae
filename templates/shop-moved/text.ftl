<#-- English plain-text part, the fallback for every locale without its own file. Lines up to 72 columns. -->
<#assign rawPoints = (contact.attributes.loyalty_points)!"">
<#if rawPoints?is_string && rawPoints?trim?matches("[0-9]{1,9}")><#assign points = rawPoints?trim?number></#if>
<#assign why = "You receive this e-mail because you subscribed to the Kawiarnia Nowak newsletter">
<#if (consent.date)??><#assign why += " on " + consent.date?string("d") + " " + ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][consent.date?string("M")?number - 1] + " " + consent.date?string("yyyy")></#if>
<#if (consent.source)?has_content><#assign why += " via " + consent.source></#if>
<#assign why += ((consent.confirmed)!false)?then(" and confirmed your subscription by e-mail.", ".")>
KAWIARNIA NOWAK · ONLINE SHOP NEWS


OUR ONLINE SHOP HAS MOVED

Hello<#if (contact.firstName)?has_content> ${contact.firstName}</#if>,

We have moved our online shop to a new, faster platform. From today
you will find it at:

    https://sklep.kawiarnia.example


WHAT THIS MEANS FOR YOU
-----------------------

* Your account has moved with us. Sign in with the same e-mail
  address as before:
  ${contact.email}

* Your past orders are still there. Every order from the old shop is
  listed in the new one under “My orders”.

* Please set a new password. For your security, passwords were not
  moved. On the sign-in page choose “Forgot password?” and enter your
  e-mail address: the new shop will send you a link to set a new
  password.

  This e-mail contains no password link, and we will never ask for
  your password by e-mail. A link to set your password only ever
  comes from the new shop, and only after you ask for it there.

* Your loyalty points have moved in full.
<#if points??>
  Your new account shows ${points} ${(points == 1)?then("point", "points")}.
</#if>
  What changes: you now also collect points in the café (just give
  your e-mail address at the till), and points stay valid for
  24 months after your last purchase instead of expiring at the end
  of the calendar year.

The old shop address will redirect to the new one for a while, but
please update your bookmarks.

Questions about an order? Just reply to this e-mail.


------------------------------------------------------------------------
${sender.organisation}
<#list sender.postalAddress?split("\n") as line>
${line?trim}
</#list>
Data protection officer: ${sender.dpoEmail}

${wrap(why)}

No longer want our newsletter? Unsubscribe here:
${unsubscribeUrl}

Choose which e-mails you receive:
${preferencesUrl}
