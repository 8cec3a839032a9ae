<#function punkty n><#local r = n % 10><#local r100 = n % 100><#if n == 1><#return "punkt"><#elseif r gte 2 && r lte 4 && (r100 lt 12 || r100 gt 14)><#return "punkty"></#if><#return "punktów"></#function>
<#assign rawPoints = (contact.attributes.loyalty_points)!"">
<#if rawPoints?is_string && rawPoints?trim?matches("[0-9]{1,9}")><#assign points = rawPoints?trim?number></#if>
<#assign why = "Otrzymujesz tę wiadomość, ponieważ">
<#if (consent.date)??><#assign why += " " + consent.date?string("d") + " " + ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"][consent.date?string("M")?number - 1] + " " + consent.date?string("yyyy") + " r."></#if>
<#assign why += " Twój adres e-mail został zapisany na listę odbiorców newslettera Kawiarni Nowak">
<#if (consent.source)?has_content><#assign why += " (źródło: " + consent.source + ")"></#if>
<#assign why += ((consent.confirmed)!false)?then(", a zapis potwierdzono przez e-mail.", ".")>
KAWIARNIA NOWAK · NEWSLETTER · GRUDZIEŃ


GRUDZIEŃ PACHNIE PIERNIKIEM

Dzień dobry!

Wcześnie robi się ciemno, a w naszej kawiarni pachnie cynamonem
i skórką pomarańczy. Oto, co przygotowaliśmy na grudzień.


DWIE NOWE ZIMOWE MIESZANKI
--------------------------

* Mroźny Poranek – Etiopia i Brazylia. Suszona wiśnia, mleczna
  czekolada i orzech laskowy; świetna do metod przelewowych
  i do kawiarki.

* Kominek – Kolumbia i Sumatra, palona nieco ciemniej. Kakao, skórka
  pomarańczy i korzenne przyprawy; stworzona do espresso i kawy
  z mlekiem.

Obie w opakowaniach 250 g i 1 kg – w kawiarni i w naszym sklepie
internetowym:
https://sklep.kawiarnia.example


PRZEPIS: PIERNIKOWE LATTE
-------------------------

Na jeden duży kubek:

* podwójne espresso (ok. 60 ml) lub 100 ml mocnej kawy z kawiarki
  – najlepiej Kominek
* 200 ml mleka (lub napoju owsianego)
* 1 łyżeczka miodu
* ½ łyżeczki przyprawy do piernika
* szczypta cynamonu do posypania

1. Podgrzej mleko z miodem i przyprawą, nie doprowadzając do wrzenia.
2. Spień mleko spieniaczem albo energicznie wstrząśnij nim
   w zakręconym słoiku.
3. Wlej espresso do dużego kubka, dodaj mleko, a na wierzch nałóż
   piankę.
4. Posyp cynamonem. Smacznego!


GODZINY OTWARCIA W ŚWIĘTA
-------------------------

24 grudnia (Wigilia) ....... 8:00–14:00
25–26 grudnia .............. nieczynne
31 grudnia (Sylwester) ..... 8:00–16:00
1 stycznia ................. nieczynne
Pozostałe dni .............. jak zwykle 8:00–20:00

Zamówienia złożone w sklepie internetowym do 18 grudnia wyślemy
przed świętami.


PROGRAM LOJALNOŚCIOWY
---------------------

Do 31 grudnia za obie zimowe mieszanki naliczamy podwójne punkty.
<#if points?? && points gt 0>
Masz obecnie ${points} ${punkty(points)}.
</#if>


------------------------------------------------------------------------
${sender.organisation}
<#list sender.postalAddress?split("\n") as line>
${line?trim}
</#list>
Inspektor ochrony danych: ${sender.dpoEmail}

${wrap(why)}

Nie chcesz już otrzymywać newslettera? Wypisz się tutaj:
${unsubscribeUrl}

Wybierz, jakie wiadomości chcesz otrzymywać:
${preferencesUrl}
