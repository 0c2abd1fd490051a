# tinyids platform builder: an SCons script that PlatformIO runs for every environment.
#
# It picks the Debian cross compiler named by the board's `build.toolchain`, sets the flags of
# that core, adds the model sources (TINYIDS_MODEL_DIR, default: the hand-written fixture in
# firmware/models/fixture), builds the program with PlatformIO's BuildProgram(), makes an Intel
# hex for AVR, and defines SIZETOOL / SIZECHECKCMD / SIZE*REGEXP so `pio run` prints its usual
# `RAM:` / `Flash:` lines against the board's Table I budgets.
#
# Images are linked with memory regions larger than the board's, on purpose: a model that does
# not fit still links, its sizes are measured, and the fit matrix says "does not fit" with the
# margin (PlatformIO's own size check then fails the build, which the driver reads as such).

import os
import shutil
import sys

from SCons.Script import AlwaysBuild, Builder, Default, DefaultEnvironment  # noqa: F401

env = DefaultEnvironment()
board = env.BoardConfig()
platform_dir = env.PioPlatform().get_dir()
project_dir = env.subst("$PROJECT_DIR")

TOOLCHAINS = {
    "avr": "avr-",
    "arm-none-eabi": "arm-none-eabi-",
    "xtensa-lx106": "xtensa-lx106-elf-",
    "aarch64-linux-gnu": "aarch64-linux-gnu-",
    "native": "",
}
DEBIAN_PACKAGES = {
    "avr": "gcc-avr avr-libc binutils-avr",
    "arm-none-eabi": "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    "xtensa-lx106": "gcc-xtensa-lx106",
    "aarch64-linux-gnu": "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
    "native": "gcc",
}

toolchain = board.get("build.toolchain", "")
if toolchain not in TOOLCHAINS:
    sys.stderr.write(
        "Error: TINYIDS_NO_TOOLCHAIN: board %s needs toolchain %r, which is not available on "
        "this machine (no Debian package, no reachable registry). Not built.\n"
        % (env.subst("$BOARD"), toolchain)
    )
    env.Exit(3)

prefix = TOOLCHAINS[toolchain]
if shutil.which(prefix + "gcc") is None:
    sys.stderr.write(
        "Error: TINYIDS_NO_TOOLCHAIN: %sgcc not found on PATH; install the Debian packages: "
        "apt-get install %s\n" % (prefix, DEBIAN_PACKAGES[toolchain])
    )
    env.Exit(3)


def _abs(path):
    path = env.subst(path)
    if os.path.isabs(path):
        return path
    for base in (project_dir, platform_dir):
        if os.path.exists(os.path.join(base, path)):
            return os.path.join(base, path)
    return os.path.join(project_dir, path)


env.Replace(
    AR=prefix + "ar",
    AS=prefix + "gcc",
    CC=prefix + "gcc",
    CXX=prefix + "g++",
    GDB=prefix + "gdb",
    OBJCOPY=prefix + "objcopy",
    RANLIB=prefix + "ranlib",
    SIZETOOL=prefix + "size",
    PROGNAME="firmware",
    PROGSUFFIX=".elf",
    ARFLAGS=["rc"],
    # flash: code, read-only data and the initialisers of .data; RAM: .data + .bss (+ .noinit)
    SIZECHECKCMD="$SIZETOOL -A -d $SOURCES",
    SIZEPROGREGEXP=r"^(?:\.text|\.data|\.rodata|\.vectors|\.init\w*|\.fini\w*|\.literal|"
    r"\.ARM\.exidx|\.ARM\.extab|\.eh_frame|\.gcc_except_table|\.init_array|\.fini_array)"
    r"\s+(\d+)",
    SIZEDATAREGEXP=r"^(?:\.data|\.bss|\.noinit|\.tbss|\.tdata)\s+(\d+)",
    SIZEPRINTCMD="$SIZETOOL -A -d $SOURCES",
)

f_cpu = board.get("build.f_cpu", "1000000L").rstrip("L")
# -ffp-contract=off: a*b+c stays two roundings on every core (the M7 has FMA), as on the host,
# so float models predict bit for bit what the host predicts
common = ["-Os", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections", "-g", "-ffp-contract=off"]
cpp_defines = [
    ("F_CPU", f_cpu + "UL"),
    ("TINYIDS_BOARD", '\\"%s\\"' % env.subst("$BOARD")),
    ("TINYIDS_F_CPU", f_cpu + "UL"),
]
ccflags = list(common)
linkflags = ["-Os", "-Wl,--gc-sections"]
libs = []

if toolchain == "avr":
    mcu = board.get("build.mcu")
    ccflags += ["-mmcu=" + mcu]
    cpp_defines.append("TINYIDS_HAL_AVR")
    linkflags += [
        "-mmcu=" + mcu,
        # measured-even-if-too-big: regions beyond the part's 32 KB / 2 KB (see header)
        "-Wl,--defsym=__TEXT_REGION_LENGTH__=0x40000",
        "-Wl,--defsym=__DATA_REGION_LENGTH__=0xfe00",
    ]
elif toolchain == "arm-none-eabi":
    cpu = ["-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"]
    ccflags += cpu
    cpp_defines.append("TINYIDS_HAL_CM7")
    if board.get("build.semihosting", ""):
        cpp_defines.append("TINYIDS_SEMIHOSTING")
    linkflags += cpu + ["-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs"]
    env.Replace(LDSCRIPT_PATH=_abs(board.get("build.ldscript")))
    libs += ["m", "c", "gcc"]
elif toolchain == "xtensa-lx106":
    ccflags += ["-mlongcalls", "-mtext-section-literals", "-ffreestanding", "-fno-builtin"]
    cpp_defines.append("TINYIDS_HAL_LX106")
    linkflags += ["-nostdlib", "-nostartfiles", "-mlongcalls"]
    env.Replace(LDSCRIPT_PATH=_abs(board.get("build.ldscript")))
    # picolibc-xtensa-lx106-elf (Debian) brings <math.h> and libm for models that call expf & co.;
    # the HAL provides memcpy/memset and the soft-float helpers libgcc lacks
    if os.path.isfile("/usr/lib/xtensa-lx106-elf/lib/libm.a"):
        libs += ["m", "c"]
    libs += ["gcc"]
elif toolchain in ("aarch64-linux-gnu", "native"):
    cpp_defines.append("TINYIDS_HAL_LINUX")
    linkflags += ["-static"] if toolchain == "aarch64-linux-gnu" else []
    libs += ["m"]

env.Append(
    ASFLAGS=[f for f in ccflags if f.startswith("-m")] + ["-x", "assembler-with-cpp"],
    CCFLAGS=ccflags,
    CFLAGS=["-std=gnu11"],
    CPPDEFINES=cpp_defines,
    LINKFLAGS=linkflags,
    LIBS=libs,
)

# link-only options from platformio.ini (build_flags reach only the compiler)
extra_ld = board.get("build.ldflags", "")
if extra_ld:
    env.Append(LINKFLAGS=extra_ld.split())

# the model: adapter + model sources + test vectors, compiled into flash
model_dir = os.environ.get("TINYIDS_MODEL_DIR") or os.path.join(project_dir, "models", "fixture")
model_dir = os.path.abspath(model_dir)
if not os.path.isdir(model_dir):
    sys.stderr.write("Error: TINYIDS_MODEL_DIR %s does not exist\n" % model_dir)
    env.Exit(2)
print("tinyids: model sources from %s" % model_dir)
env.Append(CPPPATH=[model_dir, os.path.join(project_dir, "include")])
for inc in filter(None, os.environ.get("TINYIDS_EXTRA_INCLUDES", "").split(os.pathsep)):
    env.Append(CPPPATH=[os.path.abspath(inc)])
env.BuildSources(os.path.join("$BUILD_DIR", "model"), model_dir, "+<*.c> +<*.S>")

target_elf = env.BuildProgram()

if toolchain == "avr":
    env.Append(
        BUILDERS=dict(
            ElfToHex=Builder(
                action=env.VerboseAction(
                    "$OBJCOPY -O ihex -R .eeprom $SOURCES $TARGET", "Building $TARGET"
                ),
                suffix=".hex",
            )
        )
    )
    target_image = env.ElfToHex(os.path.join("$BUILD_DIR", "${PROGNAME}"), target_elf)
else:
    target_image = target_elf

AlwaysBuild(env.Alias("nobuild", target_image))
target_buildprog = env.Alias("buildprog", target_image, target_image)
target_size = env.Alias(
    "size", target_elf, env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE")
)
AlwaysBuild(target_size)
Default([target_buildprog, target_size])
