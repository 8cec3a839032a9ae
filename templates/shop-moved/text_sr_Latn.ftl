<#function bodova n><#local r = n % 10><#local r100 = n % 100><#if r == 1 && r100 != 11><#return "bod"><#elseif r gte 2 && r lte 4 && (r100 lt 12 || r100 gt 14)><#return "boda"></#if><#return "bodova"></#function>
<#assign rawPoints = (contact.attributes.loyalty_points)!"">
<#if rawPoints?is_string && rawPoints?trim?matches("[0-9]{1,9}")><#assign points = rawPoints?trim?number></#if>
<#assign why = "Ovu poruku dobijate zato što ste se">
<#if (consent.date)??><#assign why += " " + consent.date?string("d") + ". " + ["januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta", "septembra", "oktobra", "novembra", "decembra"][consent.date?string("M")?number - 1] + " " + consent.date?string("yyyy") + "."></#if>
<#assign why += " prijavili na bilten kafea Kawiarnia Nowak">
<#if (consent.source)?has_content><#assign why += " (izvor: " + consent.source + ")"></#if>
<#assign why += ((consent.confirmed)!false)?then(", a prijavu ste potvrdili putem e-pošte.", ".")>
KAWIARNIA NOWAK · VESTI IZ ONLAJN PRODAVNICE


NAŠA ONLAJN PRODAVNICA SE PRESELILA

Dobar dan!

Našu onlajn prodavnicu preselili smo na novu, bržu platformu. Od danas
je nalazite na adresi:

    https://sklep.kawiarnia.example


ŠTA SE MENJA ZA VAS?
--------------------

* Vaš nalog je već u novoj prodavnici. Prijavljujete se istom adresom
  e-pošte kao i do sada:
  ${contact.email}

* Stare porudžbine su i dalje vidljive. Sve porudžbine iz stare
  prodavnice naći ćete u novoj, u odeljku „Moje porudžbine“.

* Potrebno je da postavite novu lozinku. Iz bezbednosnih razloga
  lozinke nismo preneli. Na stranici za prijavu izaberite „Zaboravili
  ste lozinku?“ i unesite svoju adresu e-pošte – nova prodavnica će
  Vam poslati link za postavljanje nove lozinke.

  Ova poruka ne sadrži link za promenu lozinke i nikada Vam nećemo
  tražiti lozinku putem e-pošte. Link za postavljanje lozinke šalje
  isključivo nova prodavnica, i to samo kada ga zatražite na njenoj
  stranici.

* Bodove lojalnosti preneli smo u celosti.
<#if points??>
  Na novom nalogu imate ${points} ${bodova(points)}.
</#if>
  Šta se menja: bodove sada sakupljate i pri kupovini u kafeu
  (dovoljno je da na kasi navedete svoju adresu e-pošte). Bodovi važe
  24 meseca od poslednje kupovine, umesto do kraja kalendarske godine
  kao do sada.

Stara adresa prodavnice će još neko vreme preusmeravati na novu, ali
preporučujemo da ažurirate obeleživače.

Imate pitanje o porudžbini? Samo odgovorite na ovu poruku.


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
