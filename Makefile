# realist: two commands do all set-up on a fresh machine.
#   make demo   create the environment, install, and run the main job
#   make test   install the test dependencies and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= demo-review
EXAMPLE ?= example-review
SAMPLE := realist/data/sample

.PHONY: demo test install clean lock docs translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs pinned versions (constraints.txt) of every dependency.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The main job: (1) a fresh review built from two small database exports —
# import, deduplicate, status; (2) the bundled reference review (Chang et al.
# 2021) rebuilt from package data, synthesised and reported.
demo: $(VENV)/.installed
	rm -rf $(DEMO) $(EXAMPLE)
	$(BIN)/realist init $(DEMO) --title "Peer involvement of people who use drugs in HIV and harm reduction services"
	cd $(DEMO) && ../$(BIN)/realist import ../$(SAMPLE)/pubmed_peer.ris --source PubMed
	cd $(DEMO) && ../$(BIN)/realist import ../$(SAMPLE)/scopus_peer.csv --source Scopus
	cd $(DEMO) && ../$(BIN)/realist dedup --verbose
	cd $(DEMO) && ../$(BIN)/realist status
	$(BIN)/realist example peer-harm-reduction $(EXAMPLE)
	cd $(EXAMPLE) && ../$(BIN)/realist status
	cd $(EXAMPLE) && ../$(BIN)/realist report --format html,docx,md --out report
	@echo
	@echo "Open $(EXAMPLE)/report/report.html in a browser (it works offline)."

test: $(VENV)/.installed
	$(BIN)/pytest -q

# Re-pin the dependencies after changing pyproject.toml.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[test]'
	(echo "# Pinned versions of every dependency (make lock regenerates this from a fresh install)."; \
	 .venv-lock/bin/pip freeze --exclude-editable | grep -v '^realist') > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(DEMO) $(EXAMPLE) .pytest_cache

# The web app's catalogues (docs/web.md, "Languages"): extract every gettext string from
# realist/web (templates and Python) into messages.pot, merge it into each language's
# messages.po (new strings empty, changed ones fuzzy: translate them, then run this again),
# and compile the .mo files the app loads.  Commit .pot, .po and .mo together.
LOCALES := realist/web/locale
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-wrap
	$(BIN)/pybabel compile -d $(LOCALES) -D messages --statistics
