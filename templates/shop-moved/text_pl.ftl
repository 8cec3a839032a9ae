<#function punkty n><#local r = n % 10><#local r100 = n % 100><#if n == 1><#return "punkt"><#elseif r gte 2 && r lte 4 && (r100 lt 12 || r100 gt 14)><#return "punkty"></#if><#return "punktów"></#function>
<#assign rawPoints = (contact.attributes.loyalty_points)!"">
<#if rawPoints?is_string && rawPoints?trim?matches("[0-9]{1,9}")><#assign points = rawPoints?trim?number></#if>
<#assign why = "Otrzymujesz tę wiadomość, ponieważ">
<#if (consent.date)??><#assign why += " " + consent.date?string("d") + " " + ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"][consent.date?string("M")?number - 1] + " " + consent.date?string("yyyy") + " r."></#if>
<#assign why += " Twój adres e-mail został zapisany na listę odbiorców newslettera Kawiarni Nowak">
<#if (consent.source)?has_content><#assign why += " (źródło: " + consent.source + ")"></#if>
<#assign why += ((consent.confirmed)!false)?then(", a zapis potwierdzono przez e-mail.", ".")>
KAWIARNIA NOWAK · WIADOMOŚCI ZE SKLEPU INTERNETOWEGO


NASZ SKLEP INTERNETOWY SIĘ PRZEPROWADZIŁ

Dzień dobry!

Przenieśliśmy nasz sklep internetowy na nową, szybszą platformę.
Od dziś znajdziesz go pod adresem:

    https://sklep.kawiarnia.example


CO TO OZNACZA DLA CIEBIE?
-------------------------

* Twoje konto jest już w nowym sklepie. Logujesz się tym samym
  adresem e-mail co dotąd:
  ${contact.email}

* Dawne zamówienia nadal są widoczne. Wszystkie zamówienia ze starego
  sklepu znajdziesz w nowym w zakładce „Moje zamówienia”.

* Trzeba ustawić nowe hasło. Ze względów bezpieczeństwa nie
  przenieśliśmy haseł. Na stronie logowania wybierz „Nie pamiętam
  hasła” i wpisz swój adres e-mail – nowy sklep wyśle Ci link
  do ustawienia nowego hasła.

  W tej wiadomości nie ma linku do zmiany hasła i nigdy nie poprosimy
  Cię o hasło e-mailem. Link do ustawienia hasła wysyła wyłącznie
  nowy sklep – i tylko wtedy, gdy poprosisz o niego na jego stronie.

* Punkty lojalnościowe przenieśliśmy w całości.
<#if points??>
  Na nowym koncie masz ${points} ${punkty(points)}.
</#if>
  Co się zmienia: punkty zbierasz teraz także w kawiarni (wystarczy
  podać przy kasie adres e-mail). Są też ważne 24 miesiące od
  ostatnich zakupów, a nie – jak dotąd – do końca roku
  kalendarzowego.

Stary adres sklepu jeszcze przez jakiś czas będzie przekierowywał
na nowy, ale warto zaktualizować zakładki.

Masz pytanie o zamówienie? Po prostu odpowiedz na tę wiadomość.


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
