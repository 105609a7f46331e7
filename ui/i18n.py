"""The app's words in Dutch (default) and English. ``t(key, lang, **values)``; the domain's
error messages in the user's language: :func:`error_text`."""

from __future__ import annotations

import re

LANGS = {"nl": "Nederlands", "en": "English"}

TEXT: dict[str, tuple[str, str]] = {
    "title": (
        "Regiokaart: samenwerkingsverbanden sociale economie",
        "Regiokaart: social economy partnerships",
    ),
    "subtitle": (
        "Klik gemeenten op de kaart om ze aan de actieve cluster toe te voegen (nog eens klikken haalt ze eruit). De cijfers en de regels volgen meteen.",
        "Click municipalities on the map to add them to the active cluster (click again to remove). Numbers and rules follow at once.",
    ),
    "language": ("Taal / Language", "Language / Taal"),
    "settings": ("Instellingen", "Settings"),
    "grid": ("Gemeentegrid", "Municipality grid"),
    "grid_help": (
        "Vlaamse gemeenten per grid: {counts} (na fusies).",
        "Flemish municipalities per grid: {counts} (after mergers).",
    ),
    "year": ("Bevolkingsjaar (Statbel, 1 januari)", "Population year (Statbel, 1 January)"),
    "year_help": (
        "Standaard het recentste jaar voor dit grid ({default}). Jaren op dit grid: {years}. Cijfers van een ouder grid worden naar dit grid omgezet; cijfers van een nieuwer grid kunnen niet terug. 2024 is niet beschikbaar: de publieke kopieën missen de 27 gemeenten die op 1 januari 2025 fuseerden, en er is geen 2024 op het grid 2025.",
        "By default the latest year for this grid ({default}). Years on this grid: {years}. Figures of an older grid are moved to this grid; a newer grid's figures cannot go back. 2024 is not available: the public copies lack the 27 municipalities that merged on 1 January 2025, and there is no 2024 on the 2025 grid.",
    ),
    "first_start": (
        "Eerste start: de brongegevens ({n} bestanden) worden opgehaald naar {where} en hun checksums gecontroleerd.",
        "First start: fetching the source data ({n} files) into {where} and verifying their checksums.",
    ),
    "first_start_done": (
        "{n} bestanden opgehaald en gecontroleerd in {where}.",
        "{n} files fetched and verified into {where}.",
    ),
    "first_start_failed": ("Gegevens ophalen mislukt", "Fetching the data failed"),
    "rule_set": ("Regelset", "Rule set"),
    "scenario": ("Scenario", "Scenario"),
    "no_scenario": ("(geen scenario)", "(no scenario)"),
    "start": ("Vertrekpunt", "Start from"),
    "start_2017": ("Samenwerkingsverbanden 2017-2019", "Partnerships 2017-2019"),
    "start_2020": ("Bekende samenwerkingsverbanden 2020-2025", "Known partnerships 2020-2025"),
    "start_layer": ("Een vergelijkingslaag als clusters", "A comparison layer as clusters"),
    "start_upload": ("Een planbestand (CSV/XLSX)", "A plan file (CSV/XLSX)"),
    "start_empty": ("Lege kaart", "Empty map"),
    "start_layer_pick": ("Laag", "Layer"),
    "start_button": ("Begin van dit vertrekpunt", "Start from here"),
    "start_done": ("Vertrokken van: {what}", "Started from: {what}"),
    "upload": ("Planbestand", "Plan file"),
    "upload_help": (
        "CSV of XLSX met kolommen nis_code (of gemeente) en cluster; optioneel cluster_name. Dezelfde controle als de opdrachtregel.",
        "CSV or XLSX with columns nis_code (or municipality) and cluster; optional cluster_name. Same checks as the command line.",
    ),
    "upload_first": ("Kies eerst een bestand.", "Choose a file first."),
    "parameters": ("Parameters van regels en scenario", "Rule and scenario parameters"),
    "assumption": ("aanname", "assumption"),
    "reset_params": ("Standaardwaarden herstellen", "Restore defaults"),
    "map_layers": ("Kaartlagen", "Map layers"),
    "outline_layer": ("Omtrek van vergelijkingslaag", "Outline of comparison layer"),
    "none": ("(geen)", "(none)"),
    "provinces": ("Provinciegrenzen", "Province borders"),
    "centrumsteden": ("Centrumsteden markeren", "Mark centrumsteden"),
    "tiles": (
        "Achtergrondkaart OpenStreetMap (vraagt internet)",
        "OpenStreetMap background (needs internet)",
    ),
    "tab_map": ("Kaart", "Map"),
    "tab_compare": ("Vergelijken", "Compare"),
    "tab_keep": ("Bewaren en exporteren", "Save and export"),
    "tab_rules": ("Regels en scenario's", "Rules and scenarios"),
    "screen": ("Scherm", "Screen"),
    "screen_kaart": ("Kaart", "Map"),
    "screen_vergelijken": ("Vergelijken", "Compare"),
    "screen_bewaren": ("Bewaren en exporteren", "Save and export"),
    "screen_regels": ("Regels en scenario's", "Rules and scenarios"),
    "screen_overlap": ("Overlap met gebieden", "Overlap"),
    "screen_voorstel": ("Voorstel", "Proposal"),
    "own_layer_caption": (
        "Eigen laag {name}: {n} gemeenten in {regions} gebieden.",
        "Own layer {name}: {n} municipalities in {regions} regions.",
    ),
    "province_caption": (
        "Provincie {province}: {pop} inwoners gedekt ({share}) in {n} clusters.",
        "Province {province}: {pop} inhabitants covered ({share}) in {n} clusters.",
    ),
    "copy_link": ("Kopieer link", "Copy link"),
    "link_help": ("Deze link opent dezelfde weergave.", "This link opens the same view."),
    "dismiss": ("Sluiten", "Dismiss"),
    "choose": ("Kies een optie", "Choose an option"),
    "upload_drop": ("Sleep een bestand hierheen", "Drag and drop a file here"),
    "confirm_delete_cluster": (
        "Cluster '{name}' met {n} gemeente(n) verwijderen? De gemeenten worden vrij.",
        "Delete cluster '{name}' with {n} municipality(ies)? The municipalities become free.",
    ),
    "loading": ("Kaart wordt geladen…", "Loading the map…"),
    "active": ("Actieve cluster", "Active cluster"),
    "no_active": ("Nog geen cluster: maak er een.", "No cluster yet: create one."),
    "new_cluster": ("Nieuwe cluster", "New cluster"),
    "new_cluster_name": ("Naam van de nieuwe cluster", "Name of the new cluster"),
    "create": ("Maak", "Create"),
    "undo": ("Ongedaan maken", "Undo"),
    "redo": ("Opnieuw", "Redo"),
    "manage": ("Cluster beheren", "Manage cluster"),
    "rename": ("Nieuwe naam", "New name"),
    "rename_button": ("Hernoem", "Rename"),
    "colour": ("Kleur", "Colour"),
    "merge_into": ("Samenvoegen met", "Merge into"),
    "merge_button": ("Voeg samen", "Merge"),
    "delete_button": (
        "Verwijder cluster (gemeenten worden vrij)",
        "Delete cluster (municipalities become unassigned)",
    ),
    "keyboard": ("Gemeente kiezen zonder kaart", "Pick a municipality without the map"),
    "municipality": ("Gemeente", "Municipality"),
    "add_to_active": ("Voeg toe aan actieve cluster", "Add to active cluster"),
    "unassign": ("Maak vrij", "Unassign"),
    "clicked_in": ("{name} zit nu in {cluster}.", "{name} is now in {cluster}."),
    "clicked_out": ("{name} is vrijgemaakt.", "{name} is now unassigned."),
    "outside": ("Daar ligt geen Vlaamse gemeente.", "No Flemish municipality there."),
    "legend": ("Legende", "Legend"),
    "unassigned": ("niet toegewezen", "unassigned"),
    "cov_munis": ("Gemeenten gedekt", "Municipalities covered"),
    "cov_pop": ("Inwoners gedekt", "Inhabitants covered"),
    "subsidy_total": ("Subsidie (recht / gefinancierd)", "Subsidy (entitled / funded)"),
    "active_pop": ("Inwoners {cluster}", "Inhabitants {cluster}"),
    "clusters": ("Clusters", "Clusters"),
    "violations": ("Wat botst met de regels", "What breaks the rules"),
    "no_violations": (
        "Geen overtredingen: dit plan voldoet aan de regels en het scenario.",
        "No violations: this plan meets the rules and the scenario.",
    ),
    "show": ("Toon", "Show"),
    "zoom_cluster": ("Zoom naar cluster", "Zoom to cluster"),
    "lock": (
        "Vergrendeld (kaart verandert deze cluster niet)",
        "Locked (the map leaves this cluster alone)",
    ),
    "plan_notes": ("Opmerkingen bij het plan", "Notes on the plan"),
    "col_cluster": ("Cluster", "Cluster"),
    "col_munis": ("Gemeenten", "Municipalities"),
    "col_pop": ("Inwoners", "Inhabitants"),
    "col_subsidy": ("Subsidie (€)", "Subsidy (€)"),
    "col_funded": ("Gefinancierd (€)", "Funded (€)"),
    "col_eligible": ("Subsidiabel", "Eligible"),
    "col_scale": ("Past in scenario", "Fits scenario"),
    "col_align": ("Aansluiting", "Alignment"),
    "col_cs": ("Centrumsteden", "Centrumsteden"),
    "col_viol": ("Overtredingen", "Violations"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "compare_with": ("Vergelijk het huidige plan met", "Compare the current plan with"),
    "cmp_start": ("het vertrekpunt van deze sessie", "this session's starting point"),
    "cmp_changed": ("{n} gemeenten van cluster veranderd", "{n} municipalities changed cluster"),
    "cmp_changed_1": ("1 gemeente van cluster veranderd", "1 municipality changed cluster"),
    "cmp_none": ("Geen verschil in samenstelling.", "No difference in composition."),
    "cmp_map": (
        "Gewijzigde gemeenten hebben een zwarte stippellijn.",
        "Changed municipalities have a dashed black outline.",
    ),
    "cmp_show": (
        "Toon gewijzigde gemeenten op de kaart (zwarte stippellijn)",
        "Show changed municipalities on the map (dashed black outline)",
    ),
    "measure": ("Maat", "Measure"),
    "before": ("Andere plan", "Other plan"),
    "after": ("Huidig plan", "Current plan"),
    "difference": ("Verschil", "Difference"),
    "save": ("Plan bewaren", "Save plan"),
    "plan_name": ("Naam van het plan", "Plan name"),
    "save_button": ("Bewaar", "Save"),
    "save_note": ("Notitie bij deze versie (optioneel)", "Note for this version (optional)"),
    "saved": ("Bewaard: {name}, versie {version}", "Saved: {name}, version {version}"),
    "saved_plans": ("Bewaarde plannen", "Saved plans"),
    "no_saved": ("Nog geen bewaarde plannen in {folder}.", "No saved plans yet in {folder}."),
    "open": ("Open", "Open"),
    "opened": ("Geopend: {name}, versie {version}", "Opened: {name}, version {version}"),
    "delete": ("Verwijder", "Delete"),
    "col_plan": ("Plan", "Plan"),
    "col_versions": ("Versies", "Versions"),
    "col_last_saved": ("Laatst bewaard", "Last saved"),
    "col_saved": ("Bewaard", "Saved"),
    "col_note": ("Notitie", "Note"),
    "pick_plan": ("Plan", "Plan"),
    "version": ("Versie", "Version"),
    "confirm_delete": (
        "Plan {name} verwijderen? U kunt het later herstellen.",
        "Delete plan {name}? You can restore it later.",
    ),
    "delete_yes": ("Ja, verwijder", "Yes, delete"),
    "delete_no": ("Annuleer", "Cancel"),
    "deleted_done": ("Verwijderd: {name}", "Deleted: {name}"),
    "history_of": ("Geschiedenis van {name}", "History of {name}"),
    "deleted_plans": ("Verwijderde plannen ({n})", "Deleted plans ({n})"),
    "restore": ("Herstel", "Restore"),
    "restored": ("Hersteld: {name}", "Restored: {name}"),
    "import": ("Plan importeren", "Import a plan"),
    "import_button": ("Importeer", "Import"),
    "exports": ("Exporteren", "Export"),
    "dl_plan": ("Plan (CSV)", "Plan (CSV)"),
    "dl_xlsx": ("Statistieken (XLSX)", "Statistics (XLSX)"),
    "dl_csv": ("Clustertabel (CSV)", "Cluster table (CSV)"),
    "dl_viol": ("Overtredingen (CSV)", "Violations (CSV)"),
    "dl_gpkg": ("Clusters (GeoPackage)", "Clusters (GeoPackage)"),
    "dl_geojson": ("Clusters (GeoJSON)", "Clusters (GeoJSON)"),
    "dl_summary": (
        "Samenvatting op één pagina (HTML, afdrukbaar)",
        "One-page summary (HTML, printable)",
    ),
    "error": ("Dat lukte niet", "That did not work"),
    "rules_intro": (
        "Regels (subsidie en schaal) komen uit een versiebeheerd configuratiebestand; scenario's uit het evaluatierapport 2019. Waarden met 'aanname' staan niet in de bronnen: u kunt ze links aanpassen.",
        "Rules (subsidy and scale) come from a versioned configuration file; scenarios from the 2019 evaluation report. Values marked 'assumption' are not in the sources: change them on the left.",
    ),
    "edits": ("{n} bewerkingen", "{n} edits"),
    "edits_1": ("1 bewerking", "1 edit"),
    "munis_n": ("{n} gemeenten", "{n} municipalities"),
    "munis_1": ("1 gemeente", "1 municipality"),
    "click_ms": ("klik verwerkt in {ms} ms", "click handled in {ms} ms"),
    # ---- the "Voorstel" screen (ui/screens/proposal.py, ui/proposal.py)
    "tab_proposal": ("Voorstel", "Proposal"),
    "pr_intro": (
        "Laat Regiokaart een plan voorstellen dat aan de regelset en het scenario voldoet en zo veel mogelijk van een startplan behoudt, of herstel het huidige plan (alleen clusters met fouten of scenariowaarschuwingen). Het resultaat opent als plan in de editor; ongedaan maken brengt het vorige plan terug.",
        "Let Regiokaart propose a plan that meets the rule set and the scenario and keeps as much of a start plan as it can, or repair the current plan (only clusters with errors or scenario warnings). The result opens as the plan in the editor; undo brings back the plan before.",
    ),
    "pr_scenario": ("Scenario van het voorstel", "Scenario of the proposal"),
    "pr_layer": ("Vergelijkingslaag (aansluiting)", "Comparison layer (alignment)"),
    "pr_start": ("Startplan", "Start plan"),
    "pr_start_current": ("Het huidige plan", "The current plan"),
    "pr_start_none": ("Geen (van nul)", "None (from scratch)"),
    "pr_keep": ("Wat behouden", "What to keep"),
    "pr_keep_meeting": (
        "Startclusters die al aan alles voldoen, ongewijzigd",
        "Start clusters that already meet everything, unchanged",
    ),
    "pr_keep_unblock": (
        "Idem, behalve waar ze een cluster insluiten die niet kan voldoen",
        "The same, except where they close off a cluster that cannot meet the rules",
    ),
    "pr_keep_none": (
        "Niets (startplan alleen als vertrekpunt)",
        "Nothing (start plan only as a seed)",
    ),
    "pr_cover": ("Welke gemeenten", "Which municipalities"),
    "pr_cover_all": ("Alle gemeenten van het grid", "All municipalities of the grid"),
    "pr_cover_start": ("Alleen die van het startplan", "Only those of the start plan"),
    "pr_seed": ("Toevalsgetal (seed)", "Random seed"),
    "pr_time_limit": ("Tijdslimiet (seconden)", "Time limit (seconds)"),
    "pr_propose": ("Stel voor", "Propose"),
    "pr_repair": ("Herstel", "Repair"),
    "pr_repair_help": (
        "Herstelt het huidige plan: alleen clusters met fouten of scenariowaarschuwingen worden opnieuw gevormd.",
        "Repairs the current plan: only clusters with errors or scenario warnings are re-formed.",
    ),
    "pr_running": ("Voorstel wordt berekend… {pct}", "Computing the proposal… {pct}"),
    "pr_undo_propose": ("Voorstel {s}", "Proposal {s}"),
    "pr_undo_repair": ("Herstel {s}", "Repair {s}"),
    "pr_done_propose": (
        "Voorstel geopend in de editor ({label}); ongedaan maken brengt het vorige plan terug.",
        "Proposal opened in the editor ({label}); undo brings back the plan before.",
    ),
    "pr_done_repair": (
        "Herstel geopend in de editor ({label}); ongedaan maken brengt het vorige plan terug.",
        "Repair opened in the editor ({label}); undo brings back the plan before.",
    ),
    "pr_not_open": (
        "Dit resultaat is niet meer het open plan (ongedaan gemaakt of verder bewerkt).",
        "This result is no longer the open plan (undone or edited further).",
    ),
    "pr_changed": ("Gewijzigde gemeenten", "Changed municipalities"),
    "pr_kept": ("Behouden startclusters", "Start clusters kept"),
    "pr_added": ("Nieuw gedekte gemeenten", "Newly covered municipalities"),
    "pr_subsidy": ("Subsidie gevraagd / budget", "Subsidy requested / budget"),
    "pr_elapsed": ("Rekentijd", "Elapsed"),
    "pr_timed_out": (
        "De tijdslimiet werd bereikt: dit is het beste plan tot dan.",
        "The time limit was reached: this is the best plan so far.",
    ),
    "pr_released": (
        "Vrijgegeven startclusters (sloten een cluster in): {names}",
        "Start clusters released (they closed off a cluster): {names}",
    ),
    "pr_unmet": ("Niet gehaald ({n})", "Not met ({n})"),
    "pr_unmet_none": (
        "Alle clusters voldoen aan de regelset en het scenario.",
        "Every cluster meets the rule set and the scenario.",
    ),
    "pr_why": ("waarom", "why"),
    "pr_munis": ("gemeenten", "municipalities"),
    "pr_need_scenario": (
        "Kies een scenario voor het voorstel.",
        "Choose a scenario for the proposal.",
    ),
    "pr_bad_number": (
        "Toevalsgetal ≥ 0 en tijdslimiet tussen 0 en 600 seconden.",
        "Seed ≥ 0 and a time limit between 0 and 600 seconds.",
    ),
    "pr_cover_needs_start": (
        "'Alleen die van het startplan' vraagt een startplan met clusters.",
        "'Only those of the start plan' needs a start plan with clusters.",
    ),
    "pr_repair_empty": (
        "Het huidige plan heeft geen clusters om te herstellen.",
        "The current plan has no clusters to repair.",
    ),
    "pr_rule_min_population": ("Minimum inwoners (regelset)", "Minimum inhabitants (rule set)"),
    "pr_rule_multiple_centrumsteden": ("Meer dan één centrumstad", "More than one centrumstad"),
    "pr_rule_unique_membership": ("Gemeente in één cluster", "Municipality in one cluster"),
    "pr_rule_partial_membership": (
        "Gemeente maar deels in een cluster",
        "Municipality only partly in a cluster",
    ),
    "pr_rule_budget": ("Budget", "Budget"),
    "pr_rule_coverage": ("Gebiedsdekking", "Coverage"),
    "pr_rule_scale_min_population": (
        "Minimum inwoners (scenario)",
        "Minimum inhabitants (scenario)",
    ),
    "pr_rule_scale_max_population": (
        "Maximum inwoners (scenario)",
        "Maximum inhabitants (scenario)",
    ),
    "pr_rule_scale_min_municipalities": (
        "Minimum aantal gemeenten",
        "Minimum number of municipalities",
    ),
    "pr_rule_scale_max_municipalities": (
        "Maximum aantal gemeenten",
        "Maximum number of municipalities",
    ),
    "pr_rule_contiguity": ("Aaneengesloten", "Contiguous"),
    "pr_rule_alignment": (
        "Aansluiting bij de vergelijkingslaag",
        "Alignment with the comparison layer",
    ),
    # the overlap screen (ui/screens/overlap.py)
    "ov_title": ("Overlap met een andere indeling", "Overlap with another division"),
    "ov_intro": (
        "Hoe vallen de clusters van het plan samen met een andere regio-indeling: een meegeleverde laag of uw eigen bestand. Dezelfde cijfers als `regiokaart overlap`.",
        "How the plan's clusters line up with another regional division: a shipped layer or your own file. The same figures as `regiokaart overlap`.",
    ),
    "ov_upload": ("Eigen laag (bestand)", "Own layer (file)"),
    "ov_upload_help": (
        "Polygonen (GeoPackage, GeoJSON, gezipte Shapefile; elk coördinatenstelsel, omgezet naar EPSG:31370) of een lidmaatschapstabel (CSV/XLSX: gemeente of NIS-code → regio). Dezelfde controle en grenzen als de opdrachtregel.",
        "Polygons (GeoPackage, GeoJSON, zipped Shapefile; any coordinate reference system, reprojected to EPSG:31370) or a membership table (CSV/XLSX: municipality or NIS code → region). The same checks and limits as the command line.",
    ),
    "ov_region_column": ("Kolom met de regionaam", "Column with the region name"),
    "ov_add": ("Laag toevoegen", "Add layer"),
    "ov_added": ("Laag toegevoegd: {name}", "Layer added: {name}"),
    "ov_upload_failed": ("De laag kon niet worden ingelezen", "The layer could not be read"),
    "ov_err_crs": (
        "Het bestand heeft geen coördinatenstelsel (CRS). Bewaar het met zijn CRS (bv. EPSG:31370 of EPSG:4326) of voeg het .prj-bestand toe aan de zip.",
        "The file has no coordinate reference system (CRS). Save it with its CRS (e.g. EPSG:31370 or EPSG:4326) or add the .prj file to the zip.",
    ),
    "ov_err_limit": (
        "Het bestand overschrijdt de grenzen (ten hoogste 20 MB en 20.000 rijen; een zip ten hoogste 200 bestanden en 100 MB uitgepakt).",
        "The file exceeds the limits (at most 20 MB and 20,000 rows; a zip at most 200 files and 100 MB unpacked).",
    ),
    "ov_err_overlap": (
        "Regio's van de laag overlappen elkaar: elke plek mag in ten hoogste één regio liggen.",
        "Regions of the layer overlap: each place may lie in at most one region.",
    ),
    "ov_err_column": (
        "Niet duidelijk welke kolom de regio noemt: noem ze 'region' of 'regio', of kies de kolom.",
        "Not clear which column names the region: call it 'region' or 'regio', or choose the column.",
    ),
    "ov_err_table": (
        "Sommige rijen van de tabel kloppen niet (onbekende gemeenten of codes, dubbele toewijzingen); elke rij staat hieronder.",
        "Some rows of the table are wrong (unknown municipalities or codes, double assignments); every row is listed below.",
    ),
    "ov_err_unreadable": (
        "Het bestand kan niet gelezen worden (beschadigd, afgebroken of geen geldig formaat).",
        "The file cannot be read (damaged, truncated or not a valid format).",
    ),
    "ov_err_empty": ("Het bestand bevat geen gegevens.", "The file holds no data."),
    "ov_err_nowhere": (
        "Geen enkele polygoon ligt over een Vlaamse gemeente (verkeerd coördinatenstelsel of gebied?).",
        "No polygon lies over a Flemish municipality (wrong coordinate reference system or area?).",
    ),
    "ov_err_detail": ("Melding (zoals op de opdrachtregel)", "Message (as on the command line)"),
    "ov_layer": ("Vergelijkingslaag", "Comparison layer"),
    "ov_no_layer": (
        "Kies een laag of laad een eigen laag op.",
        "Choose a layer or upload your own.",
    ),
    "ov_province": ("Provincie", "Province"),
    "ov_all": ("alle", "all"),
    "ov_province_caption": (
        "Cijfers voor de gemeenten van {province}: clusters worden tot die gemeenten beperkt; clusters die de provinciegrens oversteken zijn gemarkeerd.",
        "Figures for the municipalities of {province}: clusters are cut to those municipalities; clusters that cross the province border are marked.",
    ),
    "ov_crossing": (
        "Clusters over de provinciegrens: {names}",
        "Clusters across the province border: {names}",
    ),
    "ov_ari": ("Aangepaste Rand-index", "Adjusted Rand index"),
    "ov_ari_help": (
        "1 = dezelfde indeling, ongeveer 0 = niet meer gelijk dan toeval; op de {n} gemeenten die plan en laag allebei dekken.",
        "1 = the same division, about 0 = no more alike than chance; on the {n} municipalities both plan and layer cover.",
    ),
    "ov_nested": ("Clusters binnen één regio", "Clusters inside one region"),
    "ov_nested_value": ("{n} van {m}", "{n} of {m}"),
    "ov_completeness": ("Laag dekt", "Layer covers"),
    "ov_covered_pop": ("Inwoners in een cluster", "Inhabitants in a cluster"),
    "ov_clusters": ("Per cluster", "Per cluster"),
    "ov_regions": ("Per regio van de laag", "Per region of the layer"),
    "ov_by_province": ("Per provincie", "By province"),
    "ov_matrix": ("Inwoners per cluster en regio", "Inhabitants per cluster and region"),
    "ov_outline": ("Omtrek van de laag", "Outline of the layer"),
    "ov_area_note": (
        "Gemeenten die door een regiogrens van de laag worden doorsneden, tellen naar oppervlakte: hun inwoners worden gelijk over de oppervlakte van de gemeente verdeeld verondersteld.",
        "Municipalities cut by the layer's region borders are counted by area: their inhabitants are assumed spread evenly by area within the municipality.",
    ),
    "ov_partial": (
        "Deze laag is ONVOLLEDIG: gemeenten die ze niet noemt zijn onbekend, niet 'buiten elke regio'.",
        "This layer is PARTIAL: municipalities it does not list are unknown, not 'outside every region'.",
    ),
    "ov_notes": ("Opmerkingen", "Notes"),
    "ov_xlsx": (
        "Overlap (XLSX, de bladen van de opdrachtregel)",
        "Overlap (XLSX, the command line's sheets)",
    ),
    "ov_col_regions_touched": ("Regio's geraakt", "Regions touched"),
    "ov_col_dominant": ("Grootste regio", "Dominant region"),
    "ov_col_dominant_share": ("Aandeel inwoners in grootste regio", "Share of inhabitants in it"),
    "ov_col_nested": ("Binnen één regio", "Nested"),
    "ov_col_outside": ("Gemeenten buiten de laag", "Municipalities outside the layer"),
    "ov_col_crosses": ("Over de provinciegrens", "Crosses the province border"),
    "ov_col_region": ("Regio", "Region"),
    "ov_col_n_clusters": ("Clusters", "Clusters"),
    "ov_col_cluster_shares": (
        "Aandeel inwoners van de regio per cluster",
        "Share of the region's inhabitants per cluster",
    ),
    "ov_col_covered": ("Aandeel in een cluster", "Share in a cluster"),
    "ov_col_province": ("Provincie", "Province"),
    "ov_col_common": ("Gemeenten in beide", "Municipalities in both"),
    "ov_col_clusters_covered": ("Clusters volledig gedekt", "Clusters wholly covered"),
    "ov_col_nested_n": ("Clusters binnen één regio", "Clusters nested"),
}


def t(key: str, lang: str = "nl", **values: object) -> str:
    nl, en = TEXT[key]
    s = en if lang == "en" else nl
    return s.format(**values) if values else s


def count(key: str, n: int, lang: str = "nl") -> str:
    """``key_1`` for one, ``key``/``key_n`` with ``n`` otherwise (Dutch and English plurals)."""
    if n == 1:
        return t(f"{key}_1", lang)
    return t(key if key in TEXT else f"{key}_n", lang, n=n)


def yes_no(b: bool | None, lang: str = "nl") -> str:
    if b is None:
        return "–"
    return t("yes" if b else "no", lang)


# the domain's (English) error messages, in Dutch: (pattern, Dutch text with the groups)
ERRORS_NL: tuple[tuple[str, str], ...] = (
    (r"No cluster '(.*)'\.", r"Geen cluster '\1'."),
    (
        r"Cannot merge '(.*)' into '(.*)': unknown cluster\.",
        r"'\1' kan niet in '\2' opgaan: onbekende cluster.",
    ),
    (r"Cluster '(.*)' exists already\.", r"Cluster '\1' bestaat al."),
    (r"The plan '(.*)' is not deleted\.", r"Het plan '\1' is niet verwijderd."),
    (
        r"The plan is on the (\d+) grid, the page on the (\d+) grid\.",
        r"Het plan ligt op het grid \1, de pagina op het grid \2.",
    ),
    (
        r"The saved plan is on the (\d+) grid, which the app does not show\.",
        r"Het bewaarde plan ligt op het grid \1, dat de app niet toont.",
    ),
    (r"No population data for the (\d+) grid\.", r"Geen bevolkingscijfers voor het grid \1."),
    (
        r"'(.*)' is saved on the (\d+) grid; choose that grid\.",
        r"'\1' is bewaard op het grid \2; kies dat grid.",
    ),
    (r"(\d+) code\(s\) are not on the (\d+) grid: (.*)", r"\1 code(s) niet op het grid \2: \3"),
    (
        r"(.*) has more than ([\d,]+) rows; the limit is ([\d,]+) rows\.",
        r"\1 heeft meer dan \2 rijen; de grens is \3 rijen.",
    ),
    (
        r"(.*) is (.*); the limit is (.*)\. Split the file or leave out columns that are not needed\.",
        r"\1 is \2; de grens is \3. Splits het bestand of laat overbodige kolommen weg.",
    ),
)


def error_text(message: str, lang: str = "nl") -> str:
    """A domain error in the user's language: a message with both languages ("nl / en") is cut
    to one; a known English message is translated; any other is shown as it is."""
    parts = re.split(r"(?<=[.?)]) / (?=[A-Z])", message, maxsplit=1)
    if len(parts) == 2:  # "Dutch. / English." (the plan store's messages)
        return parts[1].strip() if lang == "en" else parts[0].strip()
    if lang == "en":
        return message
    for pattern, dutch in ERRORS_NL:
        m = re.fullmatch(pattern, message.strip(), flags=re.S)
        if m:
            return m.expand(dutch)
    return message
