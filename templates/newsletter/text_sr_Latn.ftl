<#function bodova n><#local r = n % 10><#local r100 = n % 100><#if r == 1 && r100 != 11><#return "bod"><#elseif r gte 2 && r lte 4 && (r100 lt 12 || r100 gt 14)><#return "boda"></#if><#return "bodova"></#function>
<#assign rawPoints = (contact.attributes.loyalty_points)!"">
<#if rawPoints?is_string && rawPoints?trim?matches("[0-9]{1,9}")><#assign points = rawPoints?trim?number></#if>
<#assign why = "Ovu poruku dobijate zato što ste se">
<#if (consent.date)??><#assign why += " " + consent.date?string("d") + ". " + ["januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta", "septembra", "oktobra", "novembra", "decembra"][consent.date?string("M")?number - 1] + " " + consent.date?string("yyyy") + "."></#if>
<#assign why += " prijavili na bilten kafea Kawiarnia Nowak">
<#if (consent.source)?has_content><#assign why += " (izvor: " + consent.source + ")"></#if>
<#assign why += ((consent.confirmed)!false)?then(", a prijavu ste potvrdili putem e-pošte.", ".")>
KAWIARNIA NOWAK · BILTEN · DECEMBAR


DECEMBAR MIRIŠE NA MEDENJAKE

Dobar dan!

Rano pada mrak, a u našem kafeu miriše na cimet i koricu pomorandže.
Evo šta smo pripremili za decembar.


DVE NOVE ZIMSKE MEŠAVINE
------------------------

* Mroźny Poranek („Mrazno jutro“) – Etiopija i Brazil. Suva višnja,
  mlečna čokolada i lešnik; odlična za filter kafu i moka aparat.

* Kominek („Kamin“) – Kolumbija i Sumatra, malo tamnije pržena.
  Kakao, korica pomorandže i zimski začini; kao stvorena za espreso
  i kafu sa mlekom.

Obe mešavine su u pakovanjima od 250 g i 1 kg, u kafeu i u našoj
onlajn prodavnici:
https://sklep.kawiarnia.example


RECEPT: PIERNIK LATTE
---------------------

Piernik je poljski medenjak s medom, cimetom, karanfilićem
i đumbirom. Za jednu veliku šolju:

* dupli espreso (oko 60 ml) ili 100 ml jake kafe iz moka aparata
  – najbolje Kominek
* 200 ml mleka (ili ovsenog napitka)
* 1 kašičica meda
* ½ kašičice začina za medenjake
* prstohvat cimeta za posipanje

1. Zagrejte mleko s medom i začinom, ali ga ne dovodite do ključanja.
2. Upenite mleko penjačem ili ga snažno promućkajte u zatvorenoj
   tegli.
3. Sipajte espreso u veliku šolju, dolijte mleko i na vrh stavite
   penu.
4. Pospite cimetom. Prijatno!


RADNO VREME TOKOM PRAZNIKA
--------------------------

24. decembar .............. 8:00–14:00
25. i 26. decembar ........ zatvoreno
31. decembar .............. 8:00–16:00
1. januar ................. zatvoreno
Ostalim danima ............ kao i obično, 8:00–20:00

Porudžbine iz onlajn prodavnice primljene do 18. decembra šaljemo
pre 24. decembra.


PROGRAM LOJALNOSTI
------------------

Do 31. decembra za obe zimske mešavine dobijate duple bodove.
<#if points?? && points gt 0>
Trenutno imate ${points} ${bodova(points)}.
</#if>


------------------------------------------------------------------------
${sender.organisation}
<#list sender.postalAddress?split("\n") as line>
${line?trim}
</#list>
Lice za zaštitu podataka o ličnosti: ${sender.dpoEmail}

${wrap(why)}

Ne želite više da dobijate bilten? Odjavite se ovde:
${unsubscribeUrl}

Izaberite koje poruke želite da primate:
${preferencesUrl}
