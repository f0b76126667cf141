"""Name variants a caller or handler may use for the same person.

Written for this product from common British usage (not copied from any
list): each line is one group of forenames that name the same person on the
phone, a formal name with its spelling variants and diminutives ("Margaret
Maggie Peggy"). A short name may sit in several groups ("Alex" is short for
Alexander and Alexandra); two names match when they share a group.

Groups stay tight on purpose: "Ian" is the Scottish form of "John", but a
handler who types "Ian" wants people called Ian, so cognates that sound
different are not grouped. Typos and sound-alikes are caught elsewhere (edit
keys and double metaphone); these groups are for what spelling cannot catch.

All names are written normalised (lower case ASCII, no spaces); an indented
line continues the group above. The first name of a group is its id, stored
in lookup keys: changing this file means rebuilding the stored keys (see
`app.search.names.KEYS_VERSION`).
"""

_FORENAME_GROUPS = """
aaron aron arran aran
abdul abdool
abdullah abdallah abdulla
abigail abi abby abbie abbey gail
adam adem
adrian adrien adriano
agnes aggie nessie agnieszka
aidan aiden aden aedan
aisha ayesha aysha aishah ayisha aisyah
alan allan allen alun al alain
albert al bert bertie alberto
alexander alex alec alexandre alejandro alessandro aleksander aleksandr alek sandy xander lex
alexandra alex alexa alix lexi xandra alexandria aleksandra ola
alfred alf alfie alfredo fred freddie
ali aly
alice alicia alys alyce alicja
alison allison alyson allyson ali allie
alistair alastair alasdair allister alister ally
amanda mandy manda
amelia amy millie milly emilia amalia
amina aminah ameena
amy aimee amie ami
andrea andie andi
andrew andy drew andreas andre andrei andrzej andres
angela angie angelina angeline angelica
angus gus
ann anne anna annie nan nancy ana anya
annabel annabelle annabella
anthony antony tony anton antonio antoine antoni
antonia toni tonia
archibald archie arch
arthur art artie artur arturo
ashley ashleigh ash
audrey
barbara barb barbie babs barbra
barry baz
beatrice bea beattie trixie beatrix beatriz
benjamin ben benny benji
bernadette bernie detta
bernard bernie barney bernhard
bethan beth
bilal belal
bradley brad
brendan brendon
brian bryan bryon
bridget bridgette bridie biddy brigid brigitte
callum calum
cameron cam
caroline carolyn carol carole carrie caro carolina karolina
carl karl carlo carlos karol
carly carley carlie
catherine katherine kathryn cathryn katharine kathrine catharine katheryn catrin katarzyna
    kasia kate katie katy kath cath cathy kathy kay kit kitty
catriona katrina catrina trina
chantelle chantal shantelle
charlene sharlene
charles charlie chas chaz charley chuck
charlotte charlie lottie lotte carlotta
cheryl cherie sheryl sherrie
chloe cloe khloe
christine christina kristina kristine chris chrissie chrissy tina kirsten kristen krystyna
christopher chris kit christoph christophe cristopher kristopher kris krzysztof
ciaran kieran kieron keiran ciaron kieren
clare claire clair clara
clifford cliff
colin collin
connor conor conner
craig
cynthia cindy
daniel dan danny dani daniele
danielle dani danni daniela daniella
darren darran daren darrin
david dave davy davie dai dafydd davide dawid
deborah debra debbie debby deb debora
dennis denis den denny
derek derrick deric
desmond des
diana diane dianne dee di
dominic dominick dom dominik domenico
donald don donnie
dorothy dot dottie dolly dora
douglas doug dougie
dylan dillon dilan
edith edie
edmund ed eddie ned edmond
edward ed eddie eddy ted teddy ned edouard eduard eduardo edvard
edwin ed eddie
eileen aileen eilean ailene
eleanor elinor eleanore elenor ellie nell nellie nora leonora
elizabeth elisabeth liz lizzie lizzy liza eliza beth betty bette betsy bess bessie libby
    lisbeth elspeth elsie elzbieta
ellen helen helena elena ellie nell nellie lena
elliot elliott eliot
emily emilie emmy emilia em milly
emma em emmie
eoin owen owain
ernest ernie ernst
esther essie hester
eugene gene eugen
eva eve evie
evelyn eveline evelyne evie eve
ewan euan ewen
fatima fatimah fatma
felicity fliss
finlay findlay finley
florence flo florrie flossie
frances fran frankie francesca fanny francisca
francis frank frankie fran francisco francesco franz frans francois franciszek
fraser frazer frasier
frederick fred freddie freddy frederic fredrick friedrich fryderyk
gabriel gabe gabriele
gareth gaz
gary garry gaz
gavin
gemma jemma
geoffrey geoff jeffrey jeff jeffery jeffry
george georgie geordie jorge georg giorgio georges jerzy
georgina georgia georgie gina
gerald gerry jerry ged
geraldine gerry geri
gerard gerry ged gerrard gerhard
gilbert gil bert
gillian jillian gill jill gilly jilly
glen glenn
gordon gordie
graham graeme grahame
grace gracie
gregory greg gregor grzegorz
gwendoline gwen gwendolen gwendolyn
hamza hamzah
hannah hanna
harold harry hal
harriet hattie harriett
harrison harry
hassan hasan
helen ellen helena elena ellie nell nellie lena
henry harry hal hank henri heinrich enrique enrico henryk hendrik
herbert herb bert bertie
hilary hillary
hugh hughie hugo huw
hussain hussein husain hossain husein
ian iain
ibrahim ebrahim
imran imraan
irene
isaac ike izaak isaak
isabel isabelle isobel isabella izzy issy bella belle ibby izabela
isla islay
ismail ismael
jack jackie jake
jacob jake jakob jakub kuba
jacqueline jackie jacky jacquie jacqui jaclyn
james jim jimmy jamie jem jimmie
jane jayne janie
janet jan janette jeanette jannet
janice jan janis
jasmine jasmin yasmin yasmine yazmin jazmin jas
jason jase
jean jeanne jeannie
jennifer jenny jen jennie jenifer jenna
jeremy jerry jez
jerome jerry
jessica jess jessie jessy
jodie jody jodi
joan joanie
joanne joanna johanna jo joann
john jon johnny jonny jack johnnie jock
jonathan jonathon jon jonny johnny jonty
jordan jordon
joseph joe joey jo giuseppe jozef josef
josephine jo josie joey
joshua josh
joyce
judith judy jude judi
julia julie jules juliet julianne juliana julienne
julian jules julien juliano
justin
karen karin caren carin karyn
kathleen cathleen kathlene kath kathy kathie
kayleigh kayley kaylee kailey kaley caley
keeley keely keelie
kelly kelli kellie
kenneth ken kenny
kerry keri kerri kerrie
kevin kev
khadija khadijah
kimberley kimberly kim
kirsty kirstie kirsteen
lachlan lachie lochie
laura lora laurie
lauren loren lauryn
lawrence laurence larry laurie lawrie lorenzo laurent
layla leila laila lela leyla
leah lea
leanne leann lianne lian
lee leigh
leonard len lenny lennie leonardo
leslie lesley les
lewis louis lou lewie luis ludwig
lillian lilian lily lilly lil
lindsay lindsey linsey lyndsey lindsy
linda lindy lynda
lisa liza leesa
lorraine lorrain loraine
louise louisa lou lulu luisa
lucas lukas luca luka
lucy lucie luci lucia
luke luc
lydia
lynn lynne lyn
madeleine madeline madelyn maddie maddy madelaine
malcolm mal malc
margaret margret maggie mags peggy peg meg marge margie madge greta rita maisie malgorzata gosia
mariam maryam miriam myriam
marian marion marianne maryann marianna
marjorie margery marge margie
mark marc marcus markus marco marek
martha marty mattie
martin marty martyn martino
mary marie maria mae may molly polly mamie maire moira
matthew mathew matt matty mat matthias mateusz matteo
maureen mo maura
maurice morris mo
maxine max
maximilian max maxwell maxim maksymilian
megan meghan meagan meg
melanie mel
melissa mel missy lissa
mhairi vhairi
michael mick mike mickey micky mikey michal mikhail miguel michel michele
michelle michele shell shelley
mildred millie milly
miles myles
millicent millie milly
mitchell mitch
mohammed muhammad mohammad mohamed muhammed mohamad mohammod mahomed mohd mo
nancy nan
natalie nathalie natalia natasha nat tasha
nathaniel nathan nat nate nathanael
neil neal niall neill nial
neville nev
niamh neve neave
nicholas nicolas nickolas nick nicky nic nico niklas mikolaj
nicola nichola nicole nicky nikki nicki nic
noel nowell
nora norah
norman norm
oliver ollie olly
olivia liv livvy ollie livia oliwia
omar umar omer
oscar oskar ossie
osman usman uthman othman
owen owain
pamela pam pammy
patricia pat patsy trish tricia trisha patty
patrick pat paddy padraig patryk
paul paulo pauly pawel pablo
paula pauline paulette paulina
penelope penny pen
peter pete pietro pierre piotr petr pieter
philip phillip phil pip filip felipe philippe phillipe
philippa pippa pip
phyllis phyl
priscilla cilla
rachel rachael raquel rach
ralph rafe
raymond ray raymund
rebecca rebekah becky becca bex
reginald reg reggie
reuben ruben
rhys reece reese rees
richard rich richie rick ricky dick dickie ricardo riccardo ryszard
robert rob robbie bob bobby bert rab roberto robin
roberta bobbie
roderick rod roddy rory
rodney rod
roger rodge
roland rowland roly
ronald ron ronnie
rory ruairi ruaridh
rose rosie rosa rosemary
rosemary rosie rose
ruth ruthie
ryan rian
samantha sam sammy sammie
samuel sam sammy
sandra sandy sandie
sarah sara sally sadie
scott scot scottie
sean shaun shawn
sebastian seb bastian sebastien
sharon sharron shaz
sheila sheela shelagh sheelagh
shirley shirl
sian shan
simon si szymon simone
siobhan shivaun chevonne shevaun
sinead shinead
sidney sydney sid
sonia sonya sonja
sophie sophia sofia soph zofia
stacey stacy staci
stanley stan stanislaw
stephanie steph steff stephenie stefanie
stephen steven stephan stefan steve stevie stevan
stuart stewart stu
susan suzanne susanna susannah sue suzy susie suzie zuzanna
tanya tania tonya
teresa theresa tessa tess terri tessie tereza
terence terry terrance terrence
theodore theo ted teddy
thomas tom tommy thom tomas tomasz tommaso
timothy tim timmy
tobias toby
tracey tracy traci tracie
trevor trev
tristan tristram
una oonagh oona
valerie val
vanessa nessa ness
veronica ronnie nika
victor vic vick viktor vittorio wiktor
victoria vicky vicki vickie tori viki wiktoria
vincent vince vinny vincenzo wincenty
violet vi
vivienne vivian vivien viv
walter walt wally
wesley wes
wilfred wilf wilfrid
william will willie willy bill billy liam wil guillaume wilhelm
winifred winnie freda
yusuf yousef yousuf youssef yusef
yvonne evonne
zachary zach zack zak zac zachariah
zainab zaynab
zoe zoey zoie
annette anette
bethany beth
beverley beverly bev
brandon branden
brett bret
chelsea chelsey chelsie
christian chris kristian christiaan
damian damien
dean deane
denise denice
donna dona
elaine elayne
eric erik erich
hayley haley hailey haylee
holly hollie
howard howie
jade jayde
jay jai
justin justyn
marilyn marilynn marylin
paige page
russell russ
shane shayne
shannon shannen
sylvia silvia
"""

# Surnames spelt several ways that sound the same on the phone. Single-letter
# differences are caught by edit keys anyway; these cover the rest.
_SURNAME_GROUPS = """
ahmed ahmad ahmet
ali aly
byrne byrnes beirne
callaghan callahan ocallaghan
chowdhury choudhury chaudhry chaudhary chowdhry choudhary
clark clarke clerk
connor oconnor conner connors
davies davis davys
doherty docherty dougherty daugherty
donnell odonnell
driscoll odriscoll
fisher fischer
gray grey
griffiths griffith
hussain hussein husain hossain
jones johns
khan khaan
lee leigh lea li
mcguire maguire mcguier
mcgee magee
mcgrath magrath
mcintosh mckintosh
meyer meier mayer maier myers
mohammed muhammad mohammad mohamed muhammed mohamad
morris morys maurice
neill oneill oneil oneal
pearce pierce pearse peirce
phillips philips phillipps
powell powel
price pryce
rahman rehman
reid reed read reade
reilly oreilly riley rielly
rhys rees reece reese
shea oshea
smith smyth smythe
stewart stuart steward
sullivan osullivan
thompson thomson tomson thomsen
vaughan vaughn
"""


def _parse(block: str) -> tuple[tuple[str, ...], ...]:
    # One group a line; an indented line continues the group above.
    lines: list[list[str]] = []
    for line in block.strip("\n").splitlines():
        if line.startswith(" ") and lines:
            lines[-1].extend(line.split())
        elif line.strip():
            lines.append(line.split())
    return tuple(names for names in (tuple(dict.fromkeys(ln)) for ln in lines) if len(names) > 1)


FORENAME_GROUPS: tuple[tuple[str, ...], ...] = _parse(_FORENAME_GROUPS)
SURNAME_GROUPS: tuple[tuple[str, ...], ...] = _parse(_SURNAME_GROUPS)


def _groups_by_name(groups: tuple[tuple[str, ...], ...]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for group in groups:
        for name in group:
            found.setdefault(name, set()).add(group[0])
    return {name: frozenset(ids) for name, ids in found.items()}


_FORENAME_GROUP_IDS = _groups_by_name(FORENAME_GROUPS)
_SURNAME_GROUP_IDS = _groups_by_name(SURNAME_GROUPS)


def forename_groups(name: str) -> frozenset[str]:
    """The ids of the forename groups a normalised, unspaced name belongs to."""
    return _FORENAME_GROUP_IDS.get(name, frozenset())


def surname_groups(name: str) -> frozenset[str]:
    """The ids of the surname variant groups a normalised, unspaced name belongs to."""
    return _SURNAME_GROUP_IDS.get(name, frozenset())


def forename_variants(name: str) -> frozenset[str]:
    """Every name sharing a group with `name` (itself excluded)."""
    ids = forename_groups(name)
    return frozenset(n for g in FORENAME_GROUPS if g[0] in ids for n in g) - {name}
