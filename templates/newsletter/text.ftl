<#-- English plain-text part, the fallback for every locale without its own file. Lines up to 72 columns. -->
<#assign rawPoints = (contact.attributes.loyalty_points)!"">
<#if rawPoints?is_string && rawPoints?trim?matches("[0-9]{1,9}")><#assign points = rawPoints?trim?number></#if>
<#assign why = "You receive this newsletter because you subscribed">
<#if (consent.date)??><#assign why += " on " + consent.date?string("d") + " " + ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][consent.date?string("M")?number - 1] + " " + consent.date?string("yyyy")></#if>
<#if (consent.source)?has_content><#assign why += " via " + consent.source></#if>
<#assign why += ((consent.confirmed)!false)?then(" and confirmed your subscription by e-mail.", ".")>
KAWIARNIA NOWAK · NEWSLETTER · DECEMBER


DECEMBER SMELLS OF GINGERBREAD

Hello<#if (contact.firstName)?has_content> ${contact.firstName}</#if>,

It gets dark early now, and our café smells of cinnamon and orange
peel. Here is what we have prepared for December.


TWO NEW WINTER BLENDS
---------------------

* Mroźny Poranek (“Frosty Morning”) – Ethiopia and Brazil. Dried
  cherry, milk chocolate and hazelnut; lovely as pour-over or from
  a moka pot.

* Kominek (“Fireplace”) – Colombia and Sumatra, roasted a little
  darker. Cocoa, orange peel and warm spice; made for espresso and
  milky coffee.

Both come in 250 g and 1 kg bags, at the café and in our online shop:
https://sklep.kawiarnia.example


RECIPE: PIERNIK LATTE
---------------------

Piernik is Polish gingerbread: honey, cinnamon, cloves and ginger.
Here it goes into a mug. For one large mug:

* a double espresso (about 60 ml) or 100 ml of strong moka-pot
  coffee – Kominek works best
* 200 ml milk (or oat drink)
* 1 teaspoon honey
* ½ teaspoon gingerbread spice
* a pinch of cinnamon to finish

1. Warm the milk with the honey and spice; do not let it boil.
2. Froth the milk with a frother, or shake it hard in a closed jar.
3. Pour the espresso into a big mug, add the milk and spoon the foam
   on top.
4. Dust with cinnamon and enjoy.


OPENING HOURS OVER THE HOLIDAYS
-------------------------------

24 December ........ 8:00–14:00
25–26 December ..... closed
31 December ........ 8:00–16:00
1 January .......... closed
All other days ..... 8:00–20:00 as usual

Online orders placed by 18 December ship before Christmas.


LOYALTY POINTS
--------------

Until 31 December you earn double points on both winter blends.
<#if points?? && points gt 0>
You currently have ${points} ${(points == 1)?then("point", "points")}.
</#if>


------------------------------------------------------------------------
${sender.organisation}
<#list sender.postalAddress?split("\n") as line>
${line?trim}
</#list>
Data protection officer: ${sender.dpoEmail}

${wrap(why)}

No longer want this newsletter? Unsubscribe here:
${unsubscribeUrl}

Choose which e-mails you receive:
${preferencesUrl}
