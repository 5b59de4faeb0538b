"""Common first names in Norway, for spotting full names in text that must stay anonymous.

The list is deliberately broad: the most common Norwegian and Nordic names of children and
of their parents' generation, and the names most common among people in Norway with an
immigrant background (Somali, Arabic, Pakistani, Afghan, Kurdish, Eritrean, Polish,
Lithuanian, Ukrainian, Vietnamese, Tamil, Filipino and others). It is used only to decide
whether a run of capitalised words is likely a person's name; it is never shown to anyone.

Names that are also ordinary Norwegian words written in lower case mid-sentence (Liv, Per,
Dag) are included: the guard only looks at capitalised words next to other capitalised words.
"""

from __future__ import annotations

import unicodedata

_NORWEGIAN_AND_NORDIC = """
Aksel Alexander Anders Andreas Are Arne Arvid Asbjørn Audun Bjarne Bjørn Brage Christian
Christoffer Daniel Dag Edvard Eigil Einar Eirik Elias Emil Erik Erlend Espen Even Eskil Filip
Finn Fredrik Frode Geir Gunnar Gustav Halvard Halvor Harald Hans Helge Henrik Herman Håkon
Isak Ivar Iver Jakob Jan Jens Johan Johannes Jon Jonas Jonatan Jørgen Karl Kasper Kjell
Kjetil Knut Kristian Kristoffer Lars Leif Leon Liam Lucas Ludvig Magne Magnus Markus Martin
Mathias Matheo Mikkel Morten Nikolai Nils Noah Odd Olav Ole Ola Oliver Oskar Paul Per Petter
Roar Rolf Rune Sander Sebastian Sigurd Sindre Sivert Steinar Stian Stig Storm Svein Sverre
Terje Theodor Thomas Tobias Tor Torbjørn Tore Trond Trygve Ulrik Vegard Vetle Viljar William
Øystein Øyvind Åsmund
Ada Agnes Alma Amalie Andrea Anette Anita Anna Anne Astrid Aud Aurora Benedicte Bente Berit
Birgit Camilla Cecilie Charlotte Eli Elin Eline Elisabeth Ella Ellen Ellinor Emilie Emma Eva
Frida Gro Grete Gunhild Guro Hanna Hannah Hedda Hege Heidi Helene Henriette Hilde Ida Iben
Inga Ingeborg Inger Ingrid Ingvild Jorunn Julie Kari Karin Karoline Kristin Kristine Laila
Lene Linn Linnea Lise Liv Live Maja Malin Mari Maria Marie Marit Marte Martine Mathilde Mia
Mille Mona Nina Nora Oda Olivia Ragnhild Randi Selma Signe Sigrid Silje Siri Sissel Sofia
Sofie Solveig Stine Synne Thea Tiril Tone Tonje Torill Trine Turid Unni Vibeke Victoria Vilde
Wenche Åse
"""

_WITH_IMMIGRANT_BACKGROUND = """
Abdi Abdikarim Abdirahman Abdullah Abdulrahman Abraham Adam Ahmad Ahmed Ali Amir Arman Asif
Azad Baran Bilal Faisal Farhad Farid Filmon Hamid Hamza Hassan Hussain Hussein Ibrahim Idris
Imran Ismail Jamal Kamal Karim Khalid Liban Mahad Mahmoud Merhawi Mohamed Mohammad Mohammed
Muhammad Mustafa Omar Rashid Reza Samir Tariq Tesfay Usman Yohannes Yonas Yousef Yusuf
Zakaria Zeeshan
Aaliyah Amina Asma Ayan Aisha Ayesha Bushra Dilan Fadumo Fatima Hafsa Hawa Hiba Hina Hodan
Ilham Inaya Khadija Layla Leila Luwam Mariam Maryam Nadia Nasrin Noor Nour Parisa Rahel Rania
Rojin Saba Saima Salma Samira Sana Selam Semhar Senait Shabnam Sumaya Yasmin Zahra Zainab
Zeynab
Jakub Kacper Krzysztof Łukasz Marcin Mateusz Michał Paweł Piotr Szymon Tomasz Wojciech
Agnieszka Ewa Joanna Julia Karolina Katarzyna Magdalena Małgorzata Natalia Wiktoria Zofia
Zuzanna
Mantas Tomas Darius Lina Rūta Ieva
Andrii Bohdan Dmytro Mykola Oleksandr Oleksii Serhii Taras Vasyl Yaroslav
Anastasiia Daryna Iryna Nataliia Oksana Olena Olha Sofiia Svitlana Tetiana Viktoriia Yulia
Minh Tuan Linh Thao Huong
Arun Karthik Suresh Priya Lakshmi Kavitha
Jose Maricel Rosalie
"""

# Names of programmes and services that contain a first name but are not a person.
NOT_PERSONS = frozenset({"marte meo"})


def normalise(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


FIRST_NAMES: frozenset[str] = frozenset(
    normalise(name) for name in (_NORWEGIAN_AND_NORDIC + _WITH_IMMIGRANT_BACKGROUND).split()
)


def is_first_name(word: str) -> bool:
    """Whether `word` (or a part of a double name such as Anne-Lise) is a common first name."""
    return any(normalise(part) in FIRST_NAMES for part in word.split("-") if part)
