"""The LX106 soft-float helpers (firmware/src/lx106_softfloat.c) are bit-exact with the host's
IEEE-754 hardware float (and __muldi3 with the host's 64-bit multiply): compiled natively and compared on random operands (subnormals,
infinities, NaNs, cancellations included)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

HARNESS = r'''
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>
float tinyids_sf_addsf3(float,float); float tinyids_sf_subsf3(float,float); float tinyids_sf_mulsf3(float,float);
uint64_t tinyids_sf_muldi3(uint64_t, uint64_t); float tinyids_sf_truncdfsf2(double); double tinyids_sf_extendsfdf2(float); float tinyids_sf_floatsisf(int32_t); float tinyids_sf_floatunsisf(uint32_t); uint32_t tinyids_sf_fixunssfsi(float);
static uint64_t s=88172645463325252ull; static uint32_t rnd(void){ s^=s<<13; s^=s>>7; s^=s<<17; return (uint32_t)s; }
static uint32_t bits(float f){uint32_t u; memcpy(&u,&f,4); return u;}
static float fb(uint32_t u){float f; memcpy(&f,&u,4); return f;}
static int same(float x, float y){ if (isnan(x)&&isnan(y)) return 1; return bits(x)==bits(y); }
static uint32_t gen(void){ uint32_t r=rnd(); switch(rnd()%8){case 0: return r & 0x807FFFFF; /*subnormal*/ case 1: return (r & 0x80FFFFFF)|0x3F000000; case 2: return r|0x7F800000; default: return r;} }
int main(int argc,char**argv){ long n = argc>1? atol(argv[1]) : 1000000; long bad=0;
 for(long i=0;i<n;i++){ float a=fb(gen()), b=fb(gen());
   if(rnd()%4==0){ b = fb((bits(a) & 0xFF800000) ^ (rnd()&0x807FFFFF)); }
   if(!same(tinyids_sf_addsf3(a,b), a+b)) { if(bad++<5) printf("add %08x %08x\n",bits(a),bits(b)); }
   if(!same(tinyids_sf_subsf3(a,b), a-b)) { if(bad++<5) printf("sub %08x %08x\n",bits(a),bits(b)); }
   if(!same(tinyids_sf_mulsf3(a,b), a*b)) { if(bad++<5) printf("mul %08x %08x\n",bits(a),bits(b)); }
   int32_t k=(int32_t)rnd(); if (rnd()%2) k >>= rnd()%31;
   if(!same(tinyids_sf_floatsisf(k),(float)k)) { if(bad++<5) printf("fsi %d\n",k); }
   if(!same(tinyids_sf_floatunsisf((uint32_t)k),(float)(uint32_t)k)) { if(bad++<5) printf("fui %u\n",(uint32_t)k); }
   uint64_t p = ((uint64_t)rnd() << 32) | rnd(), q = ((uint64_t)rnd() << 32) | rnd(); if (rnd()%2) p = (uint64_t)(int64_t)(int32_t)rnd();
   if (tinyids_sf_muldi3(p, q) != p * q) { if(bad++<5) printf("muldi3\n"); }
   { uint64_t db = ((uint64_t)rnd() << 32) | rnd(); uint32_t e = rnd() % 8;
     if (e < 5) db = (db & 0x800FFFFFFFFFFFFFull) | ((uint64_t)(1023 - 160 + rnd() % 320) << 52);
     if (e == 5) db &= 0x800FFFFFFFFFFFFFull | ((uint64_t)(1023-127-25) << 52);
     if (e == 6) db = (db & 0x800000001FFFFFFFull) | (((uint64_t)rnd() & 0x7FF) << 52) | ((uint64_t)(rnd() & 3) << 28);
     double dv; memcpy(&dv, &db, 8);
     if (!same(tinyids_sf_truncdfsf2(dv), (float)dv)) { if(bad++<5) printf("trunc %016llx\n", (unsigned long long)db); }
     double w = tinyids_sf_extendsfdf2(a); double wv = (double)a;
     if (!(isnan(w) && isnan(wv)) && memcmp(&w, &wv, 8)) { if(bad++<5) printf("ext %08x\n", bits(a)); } }
   float c = fb(rnd() & 0x4FFFFFFF); if (c < 4294967296.0f && tinyids_sf_fixunssfsi(c)!=(uint32_t)c) { if(bad++<5) printf("fix %08x\n",bits(c)); }
 }
 printf("checked %ld x 6 operations, %ld mismatches\n", n, bad); return bad!=0; }
'''


def test_soft_float_matches_host_hardware_float(tmp_path: Path):
    if shutil.which("gcc") is None:
        pytest.fail("gcc (Debian package gcc) is needed to compile the soft-float check")
    (tmp_path / "h.c").write_text(HARNESS)
    exe = tmp_path / "sf"
    subprocess.run(["gcc", "-O1", "-std=gnu11", "-ffp-contract=off", "-DTINYIDS_SOFTFLOAT_TEST",
                    str(REPO / "firmware/src/lx106_softfloat.c"), str(tmp_path / "h.c"), "-lm", "-o", str(exe)],
                   check=True, timeout=120)
    out = subprocess.run([str(exe), "300000"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and ", 0 mismatches" in out.stdout, out.stdout
