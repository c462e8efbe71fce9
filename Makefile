# sesbox — one non-recursive Makefile. `make help` lists the targets.
# Quiet by default; V=1 shows the commands. CI=true adds -Werror.

.DEFAULT_GOAL := all
SHELL := /bin/bash

CC ?= cc
PYTHON := /usr/bin/python3
BUILD ?= build
BIN ?= bin

WARN := -Wall -Wextra -Wshadow -Wformat=2
ifneq ($(filter true 1,$(CI) $(WERROR)),)
WARN += -Werror
endif
OPT ?= -O2 -g
SAN ?=
PKGS := libmicrohttpd jansson sqlite3 libcrypto libssl libcurl opendkim
CFLAGS_ALL = -std=c11 $(WARN) $(OPT) $(SAN) -D_GNU_SOURCE -MMD -MP \
	-Iemulator -Isimulator -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lresolv -lpthread -lm $(LDLIBS)

Q := $(if $(filter 1,$(V)),,@)
say = $(if $(Q),@printf '  %-6s %s\n' $(1) $(2);)

# ---- sources (explicit lists) ----
LIB_SRCS := \
	emulator/addr.c emulator/awserr.c emulator/buf.c emulator/cfg.c \
	emulator/dkim.c emulator/dns.c emulator/embed.c \
	emulator/evt.c emulator/fbr.c emulator/mime.c \
	emulator/http.c emulator/ident.c emulator/log.c emulator/model.c \
	emulator/msgid.c emulator/tclock.c emulator/verify.c \
	emulator/op.c \
	emulator/op_account.c emulator/op_cvt.c emulator/op_identity.c \
	emulator/op_cs.c emulator/cs.c emulator/store_cs.c \
	emulator/op_evdest.c emulator/evdest.c emulator/store_evdest.c \
	emulator/op_policy.c emulator/qry.c \
	emulator/op_tpl.c emulator/store_tpl.c emulator/tpl.c \
	emulator/op_supp.c emulator/supp.c emulator/store_supp.c \
	emulator/rest.c emulator/route.c emulator/sigv4.c emulator/store.c \
	emulator/store_commit.c \
	emulator/store_cvt.c emulator/store_link.c emulator/store_message.c \
	emulator/store_send.c emulator/quota.c emulator/send.c \
	emulator/smtp.c emulator/smtpc.c emulator/rmt.c emulator/fbin.c \
	emulator/op_send.c \
	emulator/sendauth.c \
	emulator/dlv.c emulator/queue.c emulator/store_queue.c \
	emulator/worker.c emulator/pub.c emulator/store_pub.c \
	emulator/rep.c emulator/track.c emulator/store_track.c \
	emulator/op_sns.c emulator/sns.c emulator/sns_deliver.c \
	emulator/store_sns.c emulator/outbox.c emulator/store_outbox.c \
	emulator/forward.c emulator/notify.c emulator/store_feed.c \
	emulator/store_identity.c emulator/store_policy.c emulator/store_tag.c \
	emulator/valid.c emulator/wire.c emulator/xmem.c \
	emulator/store_capture.c emulator/tls.c \
	simulator/inspect.c simulator/sim.c simulator/feedback.c \
	simulator/capture.c simulator/feed.c simulator/action.c \
	simulator/sesview.c simulator/ui.c
MAIN_SRCS := emulator/main.c
EMBED_FILES := \
	emulator/models/ses/2010-12-01/service-2.json \
	emulator/models/sesv2/2019-09-27/service-2.json \
	emulator/models/sns/2010-03-31/service-2.json \
	$(sort $(wildcard emulator/schema/*.sql)) \
	simulator/ui/index.html simulator/ui/app.css simulator/ui/app.js
UNIT_TESTS := cfg sigv4 qry rest valid wire model tpl mime fbr evt sendauth commit \
	evdest supp sns forward capture notify feed tls smtpc dkim

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
MAIN_OBJS := $(MAIN_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/test_%)

# What building and running need (make run), and what the tests and
# benchmarks add (make deps, test, bench).
DEB_BUILD_PACKAGES := gcc make pkg-config libmicrohttpd-dev libjansson-dev \
	libsqlite3-dev libssl-dev libcurl4-openssl-dev libopendkim-dev
DEB_PACKAGES := $(DEB_BUILD_PACKAGES) check python3 \
	python3-pytest python3-boto3 python3-requests python3-cryptography \
	python3-dkim python3-aiosmtpd awscli wrk curl openssl python3-selenium chromium chromium-driver \
	swaks libnet-ssleay-perl

.PHONY: all deps build-deps run test unit e2e bench asan fuzz lint fmt model docs \
	docs-check clean help

all: $(BIN)/sesbox

help:
	@echo "make deps   install build and test dependencies (Debian packages)"
	@echo "make        build bin/sesbox"
	@echo "make run    build dependencies + build + start sesbox with its defaults"
	@echo "make test   deps + build + unit, golden and end-to-end tests"
	@echo "make unit | e2e | asan | bench | model | docs | lint | fmt | clean"

# ---- dependencies ----
deps: PACKAGES = $(DEB_PACKAGES)
build-deps: PACKAGES = $(DEB_BUILD_PACKAGES)
deps build-deps:
	$(Q)missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS   installing:" $$missing; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# ---- build ----
$(BUILD)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/tools/embed: emulator/tools/embed.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) -std=c11 -O2 -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_FILES)
	$(call say,EMBED,$@)
	$(Q)mkdir -p $(@D) && $(BUILD)/tools/embed $@ $(EMBED_FILES)

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 $(OPT) $(SAN) -Iemulator -c -o $@ $<

$(BUILD)/libsesbox.a: $(LIB_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)/sesbox: $(MAIN_OBJS) $(BUILD)/libsesbox.a
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SAN) -o $@ $(MAIN_OBJS) $(BUILD)/libsesbox.a $(LDLIBS_ALL)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libsesbox.a
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS_ALL) $(shell pkg-config --cflags check) -o $@ $< \
		$(BUILD)/libsesbox.a $(LDLIBS_ALL) $(shell pkg-config --libs check)

# ---- run ----
run: build-deps
	$(Q)$(MAKE) --no-print-directory all
	$(BIN)/sesbox $(ARGS)

# ---- tests ----
test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS)
	$(Q)$(MAKE) --no-print-directory unit docs-check e2e

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do \
		echo "  UNIT   $$t"; SESBOX_FIXTURES=$(CURDIR)/fixtures $$t || fail=1; done; \
	exit $$fail

e2e: $(BIN)/sesbox
	$(Q)SESBOX_BIN=$(CURDIR)/$(BIN)/sesbox $(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e $(PYTEST_ARGS)

docs:
	$(Q)$(BIN)/sesbox --help-markdown > docs/configuration.md
	$(Q)$(BIN)/sesbox --api-coverage > docs/api-coverage.md
	$(Q)echo "  DOCS   docs/configuration.md docs/api-coverage.md"

docs-check: $(BIN)/sesbox
	$(Q)$(BIN)/sesbox --help-markdown | diff -u docs/configuration.md - && \
	$(BIN)/sesbox --api-coverage | diff -u docs/api-coverage.md - && \
	echo "  DOCS   generated docs are current" || \
	{ echo "docs/ is stale: run 'make docs'"; exit 1; }

asan: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan BIN=bin-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all \
		$(UNIT_TESTS:%=build-asan/tests/test_%)
	$(Q)export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		CK_FORK=no; \
	$(MAKE) --no-print-directory BUILD=build-asan BIN=bin-asan unit e2e

BENCH_TOOLS := $(BUILD)/bench/smtpload $(BUILD)/bench/smtpsink

bench: deps all $(BENCH_TOOLS)
	$(Q)bench/run.sh $(BIN)/sesbox
	$(Q)bench/capture.sh $(BIN)/sesbox
	$(Q)bench/smtp.sh $(BIN)/sesbox $(BUILD)/bench/smtpload
	$(Q)bench/deliver.sh $(BIN)/sesbox $(BUILD)/bench/smtpload $(BUILD)/bench/smtpsink

# The SMTP load client (bench/smtp.sh, bench/deliver.sh) and the SMTP sink
# sesbox delivers to (bench/deliver.sh): warnings are errors here always.
$(BENCH_TOOLS): $(BUILD)/bench/%: bench/%.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) -std=c11 $(OPT) -Wall -Wextra -Wshadow -Wformat=2 -Werror \
		-D_GNU_SOURCE -o $@ $< -lpthread

# libFuzzer on the decoders and parsers (clang), FUZZ_SECONDS each (default 60).
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(Q)command -v clang >/dev/null || { SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get install -y -qq clang >/dev/null; }
	$(Q)$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz BIN=bin-fuzz \
		OPT="-O1 -g" SAN="$(FUZZ_SAN)" build-fuzz/libsesbox.a
	$(Q)for t in qry rest mime fbr; do \
		clang -O1 -g -fsanitize=fuzzer,address,undefined -Iemulator -Isimulator \
			$$(pkg-config --cflags $(PKGS)) -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c \
			build-fuzz/libsesbox.a $(LDLIBS_ALL) || exit 1; \
		mkdir -p build-fuzz/corpus-$$t && \
		build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			build-fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

model:
	$(Q)python3 emulator/tools/model.py emulator/models

lint:
	$(Q)cppcheck --quiet --enable=warning,portability --std=c11 --error-exitcode=1 \
		--include=/usr/include/jansson.h --suppress=ctuuninitvar \
		-Iemulator -Isimulator --suppress=missingIncludeSystem emulator simulator

fmt:
	$(Q)clang-format -i $(LIB_SRCS) $(MAIN_SRCS) $(wildcard emulator/*.h simulator/*.h)

clean:
	$(Q)rm -rf build build-asan bin bin-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
