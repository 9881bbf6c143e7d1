# Runs ESP-IDF's filesystem generators (spiffsgen.py, fatfsgen.py, wl_fatfsgen.py from
# $IDF_PATH/components) the way their main() does, for bench/run.sh, with two changes
# that make the output comparable with `espcompose fs build`:
#   - the directory walk is sorted (plain spiffsgen adds files in os.walk order, which
#     depends on the filesystem);
#   - the FAT volume serial and the WL device id, random in the generators, are fixed
#     to 0x12345678 and 0x9abcdef0 (run.sh passes the same to espcompose).
# The generators' own code does all the work, so the time is theirs.
#
# usage: fsgen.py spiffs|fat|wlfat TREE OUT SIZE   (FAT with long names, 4096-byte sectors)
import os
import sys

idf = os.environ['IDF_PATH']
sys.path[:0] = [os.path.join(idf, 'components', 'spiffs'), os.path.join(idf, 'components', 'fatfs')]
kind, tree, out, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4], 0)

_walk = os.walk


def sorted_walk(*args, **kwargs):
    for root, dirs, files in _walk(*args, **kwargs):
        dirs.sort()
        files.sort()
        yield root, dirs, files


os.walk = sorted_walk

if kind == 'spiffs':
    import spiffsgen

    # page 256, block 4096, name 32, meta 4, magic, magic length, no symlinks,
    # little-endian, no aligned index tables: spiffsgen's defaults.
    spiffsgen._generate_spiffs_image(size, tree, out, 256, 4096, 32, 4, True, True, False, False, False)
else:
    import fatfs_utils.boot_sector as boot_sector

    boot_sector.generate_4bytes_random = lambda: 0x12345678
    opts = dict(size=size, sector_size=4096, fat_tables_cnt=2, sectors_per_cluster=1, explicit_fat_type=None,
                long_names_enabled=True, use_default_datetime=True, root_entry_count=512)
    if kind == 'fat':
        from fatfsgen import FATFS

        fs = FATFS(**opts)
        fs.generate(tree)
        fs.write_filesystem(out)
    else:
        import wl_fatfsgen

        wl_fatfsgen.generate_4bytes_random = lambda: 0x9ABCDEF0
        wl = wl_fatfsgen.WLFATFS(wl_mode=None, **opts)
        wl.plain_fatfs.generate(tree)
        wl.init_wl()
        wl.wl_write_filesystem(out)
